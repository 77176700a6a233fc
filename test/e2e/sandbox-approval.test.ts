import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import { approvalDeadlock } from '../../src/rollout/approver-capacity.js';
import { sandboxStartupNotes } from '../../src/sandbox-startup.js';
import { createManualClock } from '../../src/sim/manual-clock.js';
import { ACTION_IDS } from '../../src/slack/action-ids.js';
import { ADMIN, ADMIN2, type Harness } from '../support/bot-harness.js';
import { gateReadyAmi, latestChange, rolloutHarness, tierImages } from '../support/rollout-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Sandbox mode as the README's recipe configures it: admins from AMIBOT_ADMINS, no approver setting at all. */
function sandboxRecipe(config: Config): void {
  config.sandbox = true;
  config.simSpeed = 1_000;
  config.approvers.users = [];
  delete config.approvers.userGroup;
}

describe('sandbox: who can approve, and simulated time (signed Slack requests → real app)', () => {
  it('one admin and no approvers: start-up and the plan reply say nobody can approve, naming the settings', async () => {
    h = await rolloutHarness(sandboxRecipe, { env: { AMIBOT_ADMINS: ADMIN } });
    const warning = approvalDeadlock(h.config);
    expect(warning).toContain('No planned change can ever be approved');
    expect(warning).toContain('AMIBOT_ADMINS');
    expect(warning).toContain('AMIBOT_APPROVERS');
    const { amiId: target } = await gateReadyAmi(h); // baked and tested: the gate lets it through
    await h.slash(`plan ${target}`, { responseId: 'plan' });
    const reply = await h.answer('plan');
    expect(reply).toMatch(/^Planned chg-/);
    expect(reply).toContain(':warning: Nobody can approve it: the two-person rule needs an approver other than you');
    expect(reply).toContain('add a second admin to AMIBOT_ADMINS');
  });

  it("the README's recipe with two admins works: one plans, the other approves, the tiers change", async () => {
    h = await rolloutHarness(sandboxRecipe);
    expect(approvalDeadlock(h.config)).toBeUndefined();
    const { amiId: target } = await gateReadyAmi(h); // baked and tested: the gate lets it through
    await h.slash(`plan ${target}`, { responseId: 'plan' });
    expect(await h.answer('plan')).toContain(`Who can approve: <@${ADMIN2}> (not you: two-person rule).`);
    const change = await latestChange(h, 'rollout');
    // The plan's own sandbox notice says its times (deadline, "Approved at") are simulated.
    const planPost = h.fake.callsTo('chat.postMessage').find((c) => JSON.stringify(c.args.blocks).includes(change._id));
    expect(JSON.stringify(planPost?.args.blocks)).toContain('simulated time ×1000');
    await h.click(ACTION_IDS.approve, change._id, {
      userId: ADMIN2,
      messageTs: change.message?.ts ?? '',
      responseId: 'approve',
    });
    expect(await h.answer('approve')).toContain('You approved');
    await h.bot.rollout.idle();
    expect((await h.store.changes.get(change._id))?.status).toBe('applied');
    expect(tierImages(h)['small-k8s']).toBe(target);
  });

  it('ephemeral answers (response_url) say they are a sandbox on simulated time too; production answers do not', async () => {
    h = await rolloutHarness(sandboxRecipe);
    await h.slash('status', { responseId: 'status' });
    const answer = await h.answer('status');
    expect(answer).toContain('*Sandbox*');
    expect(answer).toContain('simulated time ×1000');
    await h.close();
    h = await rolloutHarness();
    await h.slash('status', { responseId: 'prod' });
    const production = await h.answer('prod');
    expect(production.length).toBeGreaterThan(0);
    expect(production).not.toContain('Sandbox');
    expect(production).not.toContain('simulated time');
  });

  it('--at is read on the simulated clock, and a refusal says what time that clock reads', async () => {
    // The simulated clock is years away from the wall clock, so only a reading against it can pass.
    const clock = createManualClock(new Date('2031-03-01T10:00:00Z'));
    h = await rolloutHarness(sandboxRecipe, { clock });
    const { amiId: target } = await gateReadyAmi(h); // baked and tested: the gate lets it through
    const wallNow = new Date();
    const wallSoon = new Date(wallNow.getTime() + 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
    await h.slash(`plan ${target} --at "${wallSoon}"`, { responseId: 'wall' });
    const refusal = await h.answer('wall');
    expect(refusal).toContain('The maintenance window must start in the future (it is now 2031-03-01 ');
    expect(refusal).toContain('on the simulated clock: in sandbox mode `--at` is simulated time');
    expect(await h.store.changes.listRecent(1)).toHaveLength(0);
    await h.slash(`plan ${target} --at "2031-03-02 02:00"`, { responseId: 'sim' });
    expect(await h.answer('sim')).toMatch(/^Planned chg-/);
    const change = await latestChange(h, 'rollout');
    expect(change.applyAt?.toISOString()).toBe('2031-03-02T02:00:00.000Z');
  });

  it('start-up says what sandbox keeps across a restart and how its time runs', () => {
    const config = { simSpeed: 60 } as Config;
    const [memory, time] = sandboxStartupNotes(config, false);
    expect(memory).toContain('sandbox state is in memory');
    expect(memory).toContain('Set AMIBOT_STATE_MONGODB_URI to keep bakes across restarts');
    expect(time).toContain('simulated time runs ×60 (AMIBOT_SIM_SPEED)');
    const [persistent] = sandboxStartupNotes(config, true);
    expect(persistent).toContain('the simulated AWS and Domino start afresh with each process');
  });
});
