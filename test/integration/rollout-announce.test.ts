import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackChat } from '../../src/adapters/slack/slack-chat.js';
import type { Block } from '../../src/ports/chat.js';
import { announceChange } from '../../src/rollout/announce-change.js';
import { createSilentLogger } from '../../src/shared/logger.js';
import { dmUser, type FakeSlack, startFakeSlack } from '../support/fake-slack.js';
import { useTestDatabase } from '../support/mongo.js';
import { sampleChange, tierUpdates } from '../support/rollout-fixtures.js';
import { ADMIN, ANNOUNCE, OPS, type RolloutRig, startRolloutRig, succeededBake } from '../support/rollout-rig.js';

const domino = useTestDatabase('announce');
const TIERS = ['64f1c0de5a1b2c3d4e5f0001', 'medium', '64f1c0de5a1b2c3d4e5f0003', '64f1c0de5a1b2c3d4e5f0004'];
const USERS = 300;
const userId = (i: number) => `U${String(i).padStart(6, '0')}`;

describe('announcing a change to 300 users through a rate-limiting Slack', () => {
  let fake: FakeSlack;
  let rig: RolloutRig;
  beforeAll(async () => {
    fake = await startFakeSlack();
    const client = new WebClient('xoxb-test', {
      slackApiUrl: fake.apiUrl,
      rejectRateLimitedCalls: true,
      retryConfig: { retries: 0 },
    });
    rig = await startRolloutRig({ domino: domino.db, chat: createSlackChat({ client, logger: createSilentLogger() }) });
    await succeededBake(rig); // the gate: a tested AMI of a succeeded bake
    const now = rig.clock.now();
    const runs = [];
    const emails: Record<string, string> = {};
    for (let i = 0; i < USERS; i++) {
      const email = `user${i}@acme.example`;
      emails[email] = userId(i);
      runs.push({ hardwareTierId: TIERS[i % 4], starterEmail: email, submissionTime: now });
      if (i % 10 === 0)
        runs.push({ hardwareTierId: TIERS[(i + 1) % 4], starterEmail: email.toUpperCase(), submissionTime: now });
    }
    // An alias of user 7 (same Slack account) and 15 people who left the company (no Slack account).
    emails['seven@acme.example'] = userId(7);
    runs.push({ hardwareTierId: TIERS[2], starterEmail: 'seven@acme.example', submissionTime: now });
    for (let i = 0; i < 15; i++)
      runs.push({ hardwareTierId: TIERS[i % 4], starterEmail: `gone${i}@acme.example`, submissionTime: now });
    // Users of tiers that do not change (GPU) must not be told.
    runs.push({ hardwareTierId: 'gpu', starterEmail: 'lena@acme.example', submissionTime: now });
    emails['lena@acme.example'] = 'U0LENA';
    await domino.db.collection('runs').insertMany(runs);
    fake.setUsersByEmail(emails);
  });
  afterAll(async () => {
    await rig.close();
    await fake.close();
  });

  it('DMs every affected user exactly once, waiting out 429s, counting unknown emails, and never twice on a re-run', async () => {
    // Slack's per-method limit on posting, plus scripted 429s on every method the announcement uses (Retry-After
    // 0 or 1 s). At most 7 per method, so even a call that meets them all stays within the adapter's 8 waits.
    fake.setRateLimit('chat.postMessage', 120);
    for (let i = 0; i < 7; i++) fake.failNext('chat.postMessage', { status: 429, retryAfterSeconds: i === 0 ? 1 : 0 });
    for (let i = 0; i < 6; i++)
      fake.failNext('users.lookupByEmail', { status: 429, retryAfterSeconds: i % 3 === 0 ? 1 : 0 });

    const started = Date.now();
    const reply = await rig.rollout.useCases.planRollout({
      userId: ADMIN,
      channelId: OPS,
      target: 'ami-0bbbbbbbbbbbbbbbb',
    });
    const changeId = /chg-\d{8}-[a-z0-9]{4}/.exec(reply.text)?.[0] ?? '';
    await rig.tasks.idle(); // the plan announces in the background
    const seconds = (Date.now() - started) / 1000;
    const summary = (await rig.store.changes.get(changeId))?.announcement;

    const dms = fake.callsTo('chat.postMessage').filter((c) => c.status === 200 && dmUser(c) !== undefined);
    const perUser = new Map<string, number>();
    for (const dm of dms) perUser.set(dmUser(dm) as string, (perUser.get(dmUser(dm) as string) ?? 0) + 1);
    expect(perUser.size).toBe(USERS);
    expect([...perUser.values()].every((n) => n === 1)).toBe(true);
    expect(perUser.has('U0LENA')).toBe(false);
    // One call per DM: no conversations.open (Tier 3) in the way.
    expect(fake.callsTo('conversations.open')).toHaveLength(0);
    expect(fake.callsTo('chat.postMessage').filter((c) => c.status === 429).length).toBeGreaterThanOrEqual(7);
    expect(fake.callsTo('users.lookupByEmail').filter((c) => c.status === 429)).toHaveLength(6);
    expect(summary).toMatchObject({
      dmSent: USERS,
      unknownEmails: 15,
      failed: 0,
      alreadyNotified: 0,
      emails: USERS + 16,
    });
    const announced = fake.callsTo('chat.postMessage').filter((c) => c.args.channel === ANNOUNCE && c.status === 200);
    expect(announced).toHaveLength(1);
    // ~900 Slack calls and a few 1 s Retry-After waits: seconds, not minutes, even on a busy 2-core machine.
    expect(seconds).toBeLessThan(45);

    // Running the announcement again (a retry, another replica) DMs nobody.
    const before = fake.callsTo('chat.postMessage').length;
    const again = await announceChange(rig.deps, changeId);
    expect(again).toMatchObject({ dmSent: 0, alreadyNotified: USERS });
    const newDms = fake
      .callsTo('chat.postMessage')
      .slice(before)
      .filter((c) => dmUser(c) !== undefined);
    expect(newDms).toEqual([]);
    // ~1,200 Slack calls and 300 FerretDB inserts: about 6–10 s alone, more beside other test files on 2 cores.
  }, 60_000);

  it('completes in place the DM of a user whose second email resolved after it went out: still one DM', async () => {
    const now = rig.clock.now();
    const change = sampleChange({
      _id: 'chg-20260902-mrge',
      requester: ADMIN,
      createdAt: now,
      deadline: new Date(now.getTime() + 86_400_000),
      updates: ['tier-a', 'tier-b'].map((id) => ({ ...tierUpdates(1)[0]!, id, label: id })),
      channel: OPS,
    });
    await rig.store.changes.insert(change);
    fake.setUsersByEmail({ 'mara@acme.example': 'U0MARA', 'm.k@acme.example': 'U0MARA' });
    // The alias is looked up only once Mara's DM (listing tier-a) has gone out.
    let dmSent: () => void = () => undefined;
    const firstDm = new Promise<void>((resolve) => {
      dmSent = resolve;
    });
    const chat = rig.deps.chat;
    const deps = {
      ...rig.deps,
      tierUsers: {
        usersByTier: async () =>
          new Map([
            ['tier-a', ['mara@acme.example']],
            ['tier-b', ['m.k@acme.example']],
          ]),
      },
      chat: {
        ...chat,
        async lookupUserIdByEmail(email: string) {
          if (email === 'm.k@acme.example') await firstDm;
          return chat.lookupUserIdByEmail(email);
        },
        async dm(user: string, text: string, blocks?: Block[]) {
          const posted = await chat.dm(user, text, blocks);
          dmSent();
          return posted;
        },
      },
    };
    const before = fake.calls.length;
    const summary = await announceChange(deps, change._id);
    expect(summary).toMatchObject({ dmSent: 1, emails: 2, failed: 0 });
    const calls = fake.calls.slice(before);
    const dms = calls.filter((c) => dmUser(c) === 'U0MARA');
    expect(dms).toHaveLength(1);
    expect(JSON.stringify(dms[0]?.args.blocks)).toContain('tier-a');
    expect(JSON.stringify(dms[0]?.args.blocks)).not.toContain('tier-b');
    const updates = calls.filter((c) => c.method === 'chat.update');
    expect(updates).toHaveLength(1);
    expect(updates[0]?.args).toMatchObject({
      channel: 'DU0MARA',
      ts: (dms[0]?.response as { ts?: string } | undefined)?.ts,
    });
    expect(JSON.stringify(updates[0]?.args.blocks)).toContain('tier-a');
    expect(JSON.stringify(updates[0]?.args.blocks)).toContain('tier-b');
  });

  it('opens the DM first where posting to the user id is refused, and keeps that channel for the next DM', async () => {
    const chat = createSlackChat({
      client: new WebClient('xoxb-test', { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } }),
      logger: createSilentLogger(),
    });
    fake.failNext('chat.postMessage', { error: 'channel_not_found' });
    const before = fake.calls.length;
    expect(await chat.dm('U0OLDWS', 'first')).toMatchObject({ channel: 'DU0OLDWS' });
    await chat.dm('U0OLDWS', 'second');
    const calls = fake.calls.slice(before).map((c) => `${c.method} ${String(c.args.channel ?? c.args.users)}`);
    expect(calls).toEqual([
      'chat.postMessage U0OLDWS',
      'conversations.open U0OLDWS',
      'chat.postMessage DU0OLDWS',
      'chat.postMessage DU0OLDWS',
    ]);
    // Any other error is not mistaken for that: it reaches the caller.
    fake.failNext('chat.postMessage', { error: 'user_disabled' });
    await expect(chat.dm('U0GONE', 'x')).rejects.toThrow(/user_disabled/);
  });
});
