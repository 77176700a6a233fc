import { afterEach, describe, expect, it } from 'vitest';
import type { BakeRecord } from '../../src/bake/bake-record.js';
import { DEMO_IDS } from '../../src/sim/seed-demo-world.js';
import { ACTION_IDS } from '../../src/slack/action-ids.js';
import { ADMIN, type Harness, startHarness } from '../support/bot-harness.js';
import { APPROVERS, gateReadyAmi, latestChange, rolloutHarness, until } from '../support/rollout-harness.js';
import { driveUntil } from '../support/time-driver.js';

/** Outside text through signed requests into the real app: what reaches the fake Slack is inert or refused. */

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function waitForBake(harness: Harness, predicate: (bake: BakeRecord) => boolean, timeoutMs = 15_000) {
  return driveUntil(
    'the bake to reach the expected state',
    async () => {
      const [bake] = await harness.store.bakes.listRecent(1);
      return bake && predicate(bake) ? bake : undefined;
    },
    { realLimitMs: timeoutMs },
  );
}

/** Every text and block the bot sent Slack (posts, updates, ephemeral answers), as one string per call. */
function sentToSlack(harness: Harness): string[] {
  return harness.fake.calls
    .filter((c) => ['chat.postMessage', 'chat.update', 'chat.postEphemeral', 'response_url'].includes(c.method))
    .map((c) => JSON.stringify({ text: c.args.text, blocks: c.args.blocks }));
}

const HOSTILE = '<!channel> <https://evil.example|approve here> <@U0BAD>';

describe('outside text is escaped before it reaches mrkdwn', () => {
  it('a hostile --note is shown inert while our own mentions still render', async () => {
    h = await startHarness();
    await h.slash(`bake --note "${HOSTILE}"`, { responseId: 'bake' });
    expect(await h.answer('bake')).toContain('started');
    // Cancel once the template has been started: the cancel line names the canceller (our own mention).
    const started = await waitForBake(h, (b) => b.facts.originalState !== undefined);
    await h.slash(`cancel ${started._id}`, { responseId: 'cancel' });
    expect(await h.answer('cancel')).toContain('Cancelling');
    const bake = await waitForBake(h, (b) => b.status === 'cancelled');
    expect(bake.note).toBe(HOSTILE); // stored as typed, escaped only where it is shown
    await h.bot.runner.idle();
    await h.fake.waitFor((c) => c.method === 'chat.update' && JSON.stringify(c.args.blocks).includes('cancelled'));

    const sent = sentToSlack(h);
    const all = sent.join('\n');
    for (const bad of ['<!channel>', '<https://evil', '<@U0BAD>']) expect(all).not.toContain(bad);
    // The note is there, escaped, in the root message.
    expect(all).toContain('&lt;!channel&gt; &lt;https://evil.example|approve here&gt; &lt;@U0BAD&gt;');
    // Our own mentions render: who asked, who cancelled, never double-escaped.
    expect(all).toContain(`<@${ADMIN}>`);
    expect(all).toContain(`Cancelled by <@${ADMIN}>`);
    expect(all).not.toContain(`&lt;@${ADMIN}&gt;`);
  });

  it("salt's output with secrets: the failure shows counts and failed states, redacted, nothing else", async () => {
    const highstate = new Set<string>();
    const SALT = [
      'local:',
      '----------',
      '          ID: db-config',
      '    Function: file.managed',
      '        Name: /etc/db.conf',
      '      Result: False',
      '     Comment: render failed near password=hunter2-in-comment <!channel>',
      '     Changes:',
      '              diff: +db_password: hunter2-in-diff',
      '-----BEGIN RSA PRIVATE KEY-----',
      'MIIEsecretkeymaterial',
      '-----END RSA PRIVATE KEY-----',
      '',
      'Summary for local',
      '------------',
      'Succeeded: 84 (changed=3)',
      'Failed:    1',
      '',
    ].join('\n');
    h = await startHarness({
      wrap: ({ ec2, ssm }) => ({
        ec2,
        ssm: {
          ...ssm,
          sendShellCommand: async (input) => {
            const id = await ssm.sendShellCommand(input);
            if (input.commands.some((line) => line.includes('state.highstate'))) highstate.add(id);
            return id;
          },
          getInvocation: async (commandId, instanceId) => {
            const real = await ssm.getInvocation(commandId, instanceId);
            if (!highstate.has(commandId) || !real.isFinished) return real;
            return { ...real, status: 'Failed', exitCode: 2, stdout: SALT, stderr: '' };
          },
        },
      }),
    });
    await h.slash('bake', { responseId: 'bake' });
    const bake = await waitForBake(h, (b) => b.status === 'failed');
    expect(bake.error?.code).toBe('highstate_failed');
    await h.bot.runner.idle();
    const all = sentToSlack(h).join('\n');
    // Not in Slack, and not stored either (the App Home shows the stored error to every workspace member).
    for (const where of [all, JSON.stringify(bake)])
      for (const secret of ['hunter2', 'MIIEsecret']) expect(where).not.toContain(secret);
    expect(all).not.toContain('<!channel>');
    expect(all).toContain('1 failed, 84 succeeded');
    expect(all).toContain('db-config (/etc/db.conf): render failed near password=[redacted]');
  });

  it('refuses an image reference that quotes would change, naming it, and pulls nothing', async () => {
    h = await startHarness();
    await h.slash(`bake --images quay.io/domino/base:x'id'`, { responseId: 'mid' });
    const mid = await h.answer('mid');
    expect(mid).toContain("quay.io/domino/base:x'id'");
    expect(mid).toContain('quotes inside it');
    await h.slash(`bake --images "quay.io/domino/base:x'id'"`, { responseId: 'inner' });
    const inner = await h.answer('inner');
    expect(inner).toContain("quay.io/domino/base:x'id'");
    expect(inner).toContain('quote character');
    expect(await h.store.bakes.listRecent(5)).toHaveLength(0);
    expect(h.world.commands).toHaveLength(0); // no SSM command: nothing pulled
  });

  it("Domino's tier labels and executorImage values: a whole plan → approve → announce → history, inert", async () => {
    h = await rolloutHarness();
    const harness = h;
    const source = harness.world.tiers.find((t) => t.doc._id === 'small-k8s')!;
    // Domino admins type tier names; executorImage is whatever was stored (not always an AMI id).
    source.doc.name = HOSTILE;
    harness.world.tiers.push({
      idType: 'string',
      doc: { ...source.doc, _id: 'odd-image', name: `odd ${HOSTILE}`, executorImage: HOSTILE },
    });
    const { amiId: target } = await gateReadyAmi(harness);
    await harness.slash(`plan ${target}`, { responseId: 'plan' });
    expect(await harness.answer('plan')).toContain('Planned');
    const change = await latestChange(harness, 'rollout');
    await harness.click(ACTION_IDS.approve, change._id, { userId: APPROVERS[0], responseId: 'approve' });
    expect(await harness.answer('approve')).toContain('approved');
    await until('the apply', async () =>
      (await harness.store.changes.get(change._id))?.status === 'applied' ? true : undefined,
    );
    await harness.bot.rollout.idle();
    await harness.slash('history', { responseId: 'history' });
    const history = await harness.answer('history');

    const all = [
      ...sentToSlack(harness),
      ...harness.fake.callsTo('chat.postMessage').map((c) => JSON.stringify(c.args)),
    ].join('\n');
    for (const bad of ['<!channel>', '<https://evil', '<@U0BAD>']) expect(all).not.toContain(bad);
    expect(all).toContain('&lt;!channel&gt;'); // the labels are shown, inert
    // Our own mentions render: the approver, and the announcement channel in the thread and the history.
    expect(all).toContain(`<@${APPROVERS[0]}>`);
    expect(all).toContain(`posted in <#${DEMO_IDS.announceChannel}>`);
    expect(history).toContain(`posted in <#${DEMO_IDS.announceChannel}>`);
    expect(all).not.toContain(`&lt;#${DEMO_IDS.announceChannel}&gt;`);
  });
});
