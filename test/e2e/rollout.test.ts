import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../../src/sim/seed-demo-world.js';
import { ACTION_IDS } from '../../src/slack/action-ids.js';
import { ADMIN, type Harness } from '../support/bot-harness.js';
import { dmUser } from '../support/fake-slack.js';
import { allText } from '../support/rollout-fixtures.js';
import { APPROVERS, bake, latestChange, rolloutHarness, STRANGER, tierImages } from '../support/rollout-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('rollout end to end (signed Slack requests → real app → simulator → FerretDB → fake Slack)', () => {
  it('bake → test → plan → two-person approval under 50 concurrent clicks → apply once → drain → history → revert', async () => {
    // A generous pass threshold: on the scaled clock a stall of this busy machine reads as seconds of Pulling,
    // and a failed test now stops the plan at the gate (the verdict itself: test/integration/ami-test.test.ts).
    h = await rolloutHarness((config) => {
      config.domino.pullPassSeconds = 120;
    });
    const original = tierImages(h);
    const baked = await bake(h);
    const newAmi = baked.facts.imageId!;

    // Test on the test tier (the bake thread's button).
    await h.click(ACTION_IDS.testAmi, baked._id, { responseId: 'test' });
    expect(await h.answer('test')).toMatch(/Test test-\d{8}-[a-z0-9]{4} started: AMI test tier now uses/);
    await h.bot.rollout.idle();
    const [test] = await h.store.amiTests.listRecent(1);
    // The verdict and exact per-state seconds are checked against scripted timelines in
    // test/integration/ami-test.test.ts; on a scaled clock a stall of this busy machine reads as virtual
    // seconds, so here: it ended with a verdict, and the job really ran on a new executor of the new AMI.
    expect(test?.status).toBe('passed');
    expect(test?.toRunningSeconds).toBeGreaterThan(60);
    const job = h.world.jobs.get(test!.jobId!);
    expect(job?.tierId).toBe(DEMO_IDS.testTierId);
    expect(job?.launchedExecutor).toBe(true);
    expect(h.world.instances.get(job!.executorId!)?.imageId).toBe(newAmi);
    // The test proved it: the recorded executor is the one Domino booted for the job.
    expect(test?.executor?.instanceId).toBe(job?.executorId);
    expect(h.fake.callsTo('chat.update').some((c) => String(c.args.text).startsWith(`AMI test ${test?._id}`))).toBe(
      true,
    );
    // The test tier is back on its AMI once the test ended.
    expect(tierImages(h)).toEqual(original);

    // Plan rollout (the bake thread's button): posted in the bake's thread with Approve / Reject.
    await h.click(ACTION_IDS.planRollout, baked._id, { responseId: 'plan' });
    expect(await h.answer('plan')).toMatch(
      new RegExp(
        `Planned chg-\\d{8}-[a-z0-9]{4}: 4 tiers to change, 2 skipped, 0 already on ${newAmi}\\. Tested by ${test?._id}`,
      ),
    );
    const change = await latestChange(h, 'rollout');
    // The test tier is back on the old standard AMI, so the rollout moves it too.
    expect(change.updates.map((u) => u.id).sort()).toEqual(['large', 'medium', 'small-k8s', DEMO_IDS.testTierId]);
    expect(change.gate?.test?.id).toBe(test?._id);
    const planPost = h.fake
      .callsTo('chat.postMessage')
      .find((c) => c.response && (c.response as { ts?: string }).ts === change.message?.ts);
    expect(planPost?.args.thread_ts).toBe(baked.rootTs);
    expect(JSON.stringify(planPost?.args.blocks)).toContain(ACTION_IDS.approve);
    await h.bot.rollout.idle(); // the announcement
    const dms = h.fake.callsTo('chat.postMessage').filter((c) => dmUser(c) !== undefined);
    // 11 users of small-k8s, medium and large; kofi has no Slack account; chen and ivan use two tiers: one DM each.
    expect(new Set(dms.map((c) => dmUser(c))).size).toBe(dms.length);
    expect(dms.length).toBe(10);
    expect(h.fake.callsTo('chat.postMessage').some((c) => c.args.channel === DEMO_IDS.announceChannel)).toBe(true);

    // The requester and a stranger cannot approve; nothing changes.
    await h.click(ACTION_IDS.approve, change._id, { userId: ADMIN, responseId: 'own' });
    expect(await h.answer('own')).toContain('two-person rule');
    await h.click(ACTION_IDS.approve, change._id, { userId: STRANGER, responseId: 'stranger' });
    expect(await h.answer('stranger')).toContain('Only approvers');
    expect((await h.store.changes.get(change._id))?.status).toBe('pending');
    expect(tierImages(h)).toEqual(original);

    // 50 approvers click Approve at the same moment: one decision, one apply.
    const responses = await Promise.all(
      APPROVERS.map((userId, i) => h!.click(ACTION_IDS.approve, change._id, { userId, responseId: `click${i}` })),
    );
    expect(responses.every((r) => r.status === 200)).toBe(true);
    const answers = await Promise.all(APPROVERS.map((_, i) => h!.answer(`click${i}`)));
    const winners = answers.filter((a) => a.startsWith('You approved'));
    expect(winners).toHaveLength(1);
    const decided = await h.store.changes.get(change._id);
    for (const a of answers.filter((x) => !x.startsWith('You approved'))) {
      expect(a).toContain(`already approved by <@${decided?.decision?.by}>`);
    }
    await h.bot.rollout.idle();
    const applied = await h.store.changes.get(change._id);
    expect(applied?.status).toBe('applied');
    expect(applied?.apply?.attempt).toBe(1);
    expect(tierImages(h)).toEqual({
      ...original,
      'small-k8s': newAmi,
      medium: newAmi,
      large: newAmi,
      [DEMO_IDS.testTierId]: newAmi,
    });
    const audit = await h.store.audit.listRecent(50);
    expect(audit.filter((e) => e.action === 'change.approved')).toHaveLength(1);
    expect(audit.filter((e) => e.action === 'change.applied')).toHaveLength(1);
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toContain('amibot_approvals_total{decision="approved"} 1');
    expect(metrics).toContain('amibot_applies_total{kind="rollout",outcome="applied"} 1');
    expect(metrics).toContain('amibot_tier_updates_total{result="applied"} 4');
    expect(metrics).toMatch(/amibot_approvals_total\{decision="refused"\} [1-9]/);
    const updates = h.fake.callsTo('chat.update').filter((c) => c.args.ts === change.message?.ts);
    expect(allText({ text: '', blocks: updates.at(-1)?.args.blocks as never })).toContain(`*Applied*`);
    // A late click on the now stale button changes nothing.
    await h.click(ACTION_IDS.approve, change._id, { userId: APPROVERS[7], responseId: 'stale' });
    expect(await h.answer('stale')).toContain('already approved by');

    // Drain: stopped executors of the changed tiers on old AMIs, terminated only after an approver presses.
    const drain = await latestChange(h, 'drain');
    const stopped = drain.drain?.stopped.map((i) => i.id) ?? [];
    expect(drain.drain?.stopped.map((i) => i.tierId).sort()).toEqual(['large', 'small-k8s']);
    expect(drain.drain?.running.map((i) => i.tierId).sort()).toEqual(['large', 'medium', 'small-k8s', 'small-k8s']);
    await h.click(ACTION_IDS.drainTerminate, drain._id, { userId: APPROVERS[3], responseId: 'drain' });
    expect(await h.answer('drain')).toContain('You approved');
    await h.bot.rollout.idle();
    const drained = await h.store.changes.get(drain._id);
    expect(drained?.result?.skipped, JSON.stringify(drained?.result)).toEqual([]);
    for (const instance of h.world.instances.values()) {
      const gone = instance.state === 'shutting-down' || instance.state === 'terminated';
      expect(gone, `${instance.id} ${instance.tags.Name}`).toBe(stopped.includes(instance.id));
    }

    // History shows who did what.
    await h.slash('history 20', { responseId: 'history' });
    const history = await h.answer('history');
    for (const action of ['change.planned', 'change.approved', 'change.applied', 'drain.terminated', 'test.finished']) {
      expect(history).toContain(action);
    }

    // Revert through the same approval: every tier back to its recorded AMI.
    await h.slash(`revert ${change._id}`, { responseId: 'revert' });
    expect(await h.answer('revert')).toMatch(/Planned chg-\d{8}-[a-z0-9]{4}, the revert of/);
    const revert = await latestChange(h, 'revert');
    await h.click(ACTION_IDS.approve, revert._id, { userId: APPROVERS[9], responseId: 'revert-ok' });
    await h.answer('revert-ok');
    await h.bot.rollout.idle();
    expect(tierImages(h)).toEqual(original);
    // A whole bake and rollout: ~5 s alone, more beside other test files on a 2-core machine.
  }, 60_000);
});
