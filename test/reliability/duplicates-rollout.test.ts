// Duplicate and concurrent deliveries of the rollout's and the review's commands and buttons, across two bot
// replicas on one database (one simulated AWS + Domino world, one clock, one fake Slack): Slack retries
// (X-Slack-Retry-Num), double clicks and two processes answering at once. Nothing may be tested, planned,
// announced, applied, reverted, terminated or baked twice.
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createMongoStateStore } from '../../src/adapters/mongo/state-store.js';
import type { Clock } from '../../src/ports/clock.js';
import type { Ec2Port } from '../../src/ports/ec2.js';
import type { SsmPort } from '../../src/ports/ssm.js';
import type { StateStore } from '../../src/ports/state-store.js';
import type { AuditEntry } from '../../src/rollout/audit-record.js';
import type { ChangeRecord } from '../../src/rollout/change-record.js';
import { createManualClock } from '../../src/sim/manual-clock.js';
import { DEMO_IDS } from '../../src/sim/seed-demo-world.js';
import { createSimWorld, type SimWorld, seedDemoWorld } from '../../src/sim/sim-world.js';
import type { SimTimings } from '../../src/sim/timings.js';
import { ACTION_IDS } from '../../src/slack/action-ids.js';
import { ADMIN, ADMIN2, type Harness, OPS, SIGNING_SECRET } from '../support/bot-harness.js';
import { dmUser, type FakeSlack, type FakeSlackCall, startFakeSlack } from '../support/fake-slack.js';
import { mongoTestUri, uniqueDbName } from '../support/mongo.js';
import {
  APPROVERS,
  bake,
  gateReadyAmi,
  latestChange,
  recordProvenTest,
  rolloutHarness,
  tierImages,
  until,
} from '../support/rollout-harness.js';
import { recordTierWrites } from '../support/sim-rollout-world.js';
import { sendBlockAction, sendSlashCommand } from '../support/slack-signing.js';

const MIN = 60_000;

const openHarnesses: Harness[] = [];
const openFakes: FakeSlack[] = [];
afterEach(async () => {
  for (const h of openHarnesses.splice(0)) await h.close();
  for (const f of openFakes.splice(0)) await f.close();
});

interface Replicas {
  a: Harness;
  b: Harness;
  world: SimWorld;
  fake: FakeSlack;
  /** A tested AMI of a succeeded bake, newer than every tier's (gateReadyAmi), for plans that need no bake run. */
  newAmi: string;
  /** Every tier's executorImage when the replicas started. */
  original: Record<string, string>;
  /** Every write of a tier document's executorImage, in order. */
  tierWrites: Array<{ tierId: string; to: string }>;
  /** Every instance id passed to TerminateInstances, by either replica. */
  terminated: string[];
}

/** Two bot processes with the rollout's config on one database, world, clock and fake Slack. */
async function twoReplicas(
  options: {
    clock?: Clock;
    timings?: Partial<SimTimings>;
    /** Makes some of each replica's database writes slow (see slowAudit, slowChangeInsert). */
    slowStore?: (store: StateStore) => void;
    /** False: no `newAmi` (its bake and test records would be counted by scenarios that bake or test). */
    newAmi?: boolean;
  } = {},
): Promise<Replicas> {
  const world = seedDemoWorld(
    createSimWorld({ deployment: 'acme', ...(options.timings ? { timings: options.timings } : {}) }),
  );
  const original = Object.fromEntries(world.tiers.map((t) => [t.doc._id, t.doc.executorImage]));
  const tierWrites = recordTierWrites(world);
  const terminated: string[] = [];
  const fake = await startFakeSlack();
  openFakes.push(fake);
  const database = uniqueDbName('duproll');
  const shared = {
    world,
    fake,
    clock: options.clock ?? createManualClock(new Date()),
    database,
    wrap: ({ ec2, ssm }: { ec2: Ec2Port; ssm: SsmPort }) => ({
      ssm,
      ec2: {
        ...ec2,
        async terminateInstances(ids: string[]) {
          terminated.push(...ids);
          await ec2.terminateInstances(ids);
        },
      },
    }),
  };
  /** Its own connection to the shared database, as a second process would have. */
  const storeOf = async (): Promise<{ store?: StateStore }> => {
    if (!options.slowStore) return {};
    const store = await createMongoStateStore({ uri: mongoTestUri(), database });
    options.slowStore(store);
    return { store };
  };
  const a = await rolloutHarness(undefined, { ...shared, ...(await storeOf()) });
  openHarnesses.push(a);
  const b = await rolloutHarness(undefined, { ...shared, ...(await storeOf()) });
  openHarnesses.push(b);
  const newAmi = options.newAmi === false ? '' : (await gateReadyAmi(a)).amiId;
  return { a, b, world, fake, newAmi, original, tierWrites, terminated };
}

/** The database takes `ms` (real time) more to store an audit entry of `action`. */
const slowAudit = (action: AuditEntry['action'], ms: number) => (store: StateStore) => {
  const record = store.audit.record.bind(store.audit);
  store.audit.record = async (entry) => {
    if (entry.action === action) await delay(ms);
    return record(entry);
  };
};

/** The database takes `ms` (real time) more to store a new change of `kind`. */
const slowChangeInsert = (kind: ChangeRecord['kind'], ms: number) => (store: StateStore) => {
  const insert = store.changes.insert.bind(store.changes);
  store.changes.insert = async (change) => {
    if (change.kind === kind) await delay(ms);
    return insert(change);
  };
};

/** What is sent: a slash command's text or a button's action id and value (by an admin unless `userId`). */
type Payload = { userId?: string } & ({ slash: string } | { action: string; value: string; messageTs?: string });

/** One delivery: a payload to one replica, maybe as Slack's retry. */
type Delivery = Payload & { to: Harness; userId: string; retryNum?: number };

/**
 * Sends every delivery at once (signed, as Slack does) and returns the ephemeral answer of each, in order.
 * Every request must be acknowledged with 200, duplicates included.
 */
async function deliverAll(r: Replicas, prefix: string, deliveries: Delivery[]): Promise<string[]> {
  const responses = await Promise.all(
    deliveries.map((d, i) => {
      const responseUrl = r.fake.responseUrl(`${prefix}${i}`);
      const retry = d.retryNum === undefined ? {} : { retryNum: d.retryNum, retryReason: 'http_timeout' };
      return 'slash' in d
        ? sendSlashCommand(
            d.to.url,
            SIGNING_SECRET,
            { text: d.slash, userId: d.userId, channelId: OPS, responseUrl },
            retry,
          )
        : sendBlockAction(
            d.to.url,
            SIGNING_SECRET,
            {
              actionId: d.action,
              value: d.value,
              userId: d.userId,
              channelId: OPS,
              messageTs: d.messageTs ?? '1700000000.000100',
              responseUrl,
            },
            retry,
          );
    }),
  );
  expect(responses.map((res) => res.status)).toEqual(deliveries.map(() => 200));
  return Promise.all(deliveries.map((_, i) => r.a.answer(`${prefix}${i}`)));
}

/**
 * `n` deliveries alternating between the two replicas; after the first one to each replica they carry Slack's
 * retry headers (retry 1, 2, 3, 1, 2, 3, …), as a redelivery after a slow ack would.
 */
function spread(r: Replicas, n: number, make: (i: number) => Payload): Delivery[] {
  return Array.from({ length: n }, (_, i) => {
    const payload = make(i);
    const delivery: Delivery = {
      ...payload,
      userId: payload.userId ?? (i % 2 === 0 ? ADMIN : ADMIN2),
      to: i % 2 === 0 ? r.a : r.b,
    };
    return i >= 2 ? { ...delivery, retryNum: 1 + ((i - 2) % 3) } : delivery;
  });
}

/** Both replicas' background work done (twice: one replica's scan can start work after the other was idle). */
async function idle(r: Replicas): Promise<void> {
  await Promise.all([r.a.bot.rollout.idle(), r.b.bot.rollout.idle()]);
  await Promise.all([r.a.bot.rollout.idle(), r.b.bot.rollout.idle()]);
}

async function audit(r: Replicas, action: AuditEntry['action'], changeId?: string): Promise<AuditEntry[]> {
  return (await r.a.store.audit.listRecent(500)).filter(
    (e) => e.action === action && (changeId === undefined || e.changeId === changeId),
  );
}

async function changesOf(r: Replicas, kind: ChangeRecord['kind']): Promise<ChangeRecord[]> {
  return (await r.a.store.changes.listRecent(50)).filter((c) => c.kind === kind);
}

async function waitForStatus(r: Replicas, changeId: string, status: ChangeRecord['status']): Promise<ChangeRecord> {
  const done = await until(`${changeId} ${status}`, async () => {
    const change = await r.a.store.changes.get(changeId);
    return change?.status === status ? change : undefined;
  });
  await idle(r);
  return done;
}

const posts = (r: Replicas, test: (call: FakeSlackCall) => boolean) => r.fake.callsTo('chat.postMessage').filter(test);
const textStarts = (prefix: string) => (call: FakeSlackCall) => String(call.args.text ?? '').startsWith(prefix);
const blocksMention = (what: string) => (call: FakeSlackCall) => JSON.stringify(call.args.blocks ?? []).includes(what);

/** A rollout of `newAmi` planned and approved once, applied, its drain listed: the start of later scenarios. */
async function appliedRollout(r: Replicas): Promise<ChangeRecord> {
  await r.a.slash(`plan ${r.newAmi}`, { responseId: 'setup-plan' });
  expect(await r.a.answer('setup-plan')).toMatch(/^Planned chg-/);
  const change = await latestChange(r.a, 'rollout');
  await r.b.click(ACTION_IDS.approve, change._id, { userId: APPROVERS[40], responseId: 'setup-approve' });
  expect(await r.b.answer('setup-approve')).toMatch(/^You approved/);
  const applied = await waitForStatus(r, change._id, 'applied');
  for (const tier of applied.updates)
    expect(r.world.tiers.find((t) => t.doc._id === tier.id)?.doc.executorImage).toBe(r.newAmi);
  return applied;
}

describe('duplicate and concurrent rollout deliveries across two replicas on one database', () => {
  it('"Test on test tier" and /ami test, 12 deliveries to both replicas, 7 while the first is still starting: one AMI test, one Domino job', async () => {
    // The job waits ~15 virtual minutes (~1 s) for its executor, so every duplicate arrives while the test runs; the
    // first delivery's database is slow (0.3 s) to write the audit entry between switching the tier and saving
    // its test, so the first wave of duplicates arrives while the test lock is held but no test is saved yet.
    const r = await twoReplicas({
      newAmi: false,
      timings: { executorLaunch: { min: 15 * MIN, max: 15 * MIN } },
      slowStore: slowAudit('test.tier-switched', 300),
    });
    const baked = await bake(r.a);
    const newAmi = baked.facts.imageId!;
    const jobsBefore = r.world.jobs.size;
    const deliveries = spread(r, 12, (i) =>
      i % 4 < 2
        ? { action: ACTION_IDS.testAmi, value: baked._id, messageTs: baked.rootTs! }
        : { slash: `test ${baked._id}` },
    );

    const first = deliverAll(r, 'test-first', deliveries.slice(0, 1));
    await until('the test tier switch', async () => (r.tierWrites.length > 0 ? true : undefined));
    const duplicates = await deliverAll(r, 'test-dup', deliveries.slice(1, 8));
    const firstAnswers = await first;
    await until('the test record', async () => (await r.a.store.amiTests.listRecent(1))[0]);
    const late = await deliverAll(r, 'test-late', deliveries.slice(8));
    const answers = [...firstAnswers, ...duplicates, ...late];
    const started = answers.filter((text) => /^Test test-\d{8}-[a-z0-9]{4} started/.test(text));
    const tests = await r.a.store.amiTests.listRecent(20);
    expect(
      {
        tests: tests.length,
        started: started.length,
        stillRunning: answers.filter((text) => text.includes('is still running')).length,
        // The first write only: the test may already have ended and put the tier back (checked below).
        tierWrites: r.tierWrites.slice(0, 1),
      },
      answers.join('\n'),
    ).toEqual({
      tests: 1,
      started: 1,
      stillRunning: 11,
      tierWrites: [{ tierId: DEMO_IDS.testTierId, to: newAmi }],
    });
    const test = tests[0]!;
    expect(started[0]).toContain(test._id);
    expect(answers[0]).toBe(started[0]);
    expect(await audit(r, 'test.tier-switched')).toHaveLength(1);
    expect(posts(r, blocksMention(ACTION_IDS.cancelTest))).toHaveLength(1);

    const ended = await until(
      'the test',
      async () => {
        const current = await r.a.store.amiTests.get(test._id);
        return current && current.status !== 'running' ? current : undefined;
      },
      20_000,
    );
    await idle(r);
    expect(['passed', 'failed']).toContain(ended.status);
    // One Domino job, the test's own, on the test tier.
    expect([...r.world.jobs.values()].slice(jobsBefore).map((job) => [job.id, job.tierId])).toEqual([
      [ended.jobId, DEMO_IDS.testTierId],
    ]);
    expect(await r.a.store.amiTests.listRecent(20)).toHaveLength(1);
    expect(await audit(r, 'test.finished')).toHaveLength(1);
    expect(await r.a.store.locks.holderOf('test:acme')).toBeUndefined();
    // Switched once for the test, put back once when it ended.
    expect(r.tierWrites).toEqual([
      { tierId: DEMO_IDS.testTierId, to: newAmi },
      { tierId: DEMO_IDS.testTierId, to: r.original[DEMO_IDS.testTierId] },
    ]);
  }, 30_000);

  it('"Plan rollout" and /ami plan, 8 deliveries to both replicas: one change, one approval message, each user DMed once', async () => {
    // The database takes 0.3 s to store a new rollout: every duplicate arrives before the first one is stored.
    const r = await twoReplicas({ newAmi: false, slowStore: slowChangeInsert('rollout', 300) });
    const baked = await bake(r.a);
    await recordProvenTest(r.a, baked.facts.imageId!, { bakeId: baked._id }); // the gate: a tested AMI
    const dmsBefore = posts(r, (c) => dmUser(c) !== undefined).length;

    const answers = await deliverAll(
      r,
      'plan',
      spread(r, 8, (i) =>
        i % 4 < 2
          ? { action: ACTION_IDS.planRollout, value: baked._id, messageTs: baked.rootTs! }
          : { slash: `plan ${baked._id}` },
      ),
    );
    await idle(r);
    const planned = await changesOf(r, 'rollout');
    const dms = posts(r, (c) => dmUser(c) !== undefined).slice(dmsBefore);
    const dmed = dms.map((c) => dmUser(c)!);
    // One change, one approval message in the bake's thread, one announcement, one DM per affected Slack user:
    // 11 users of small-k8s, medium and large; kofi has no Slack account; chen and ivan use two tiers.
    expect(
      {
        changes: planned.length,
        planned: answers.filter((text) => text.startsWith('Planned chg-')).length,
        approvalMessages: posts(r, blocksMention(ACTION_IDS.approve)).length,
        announcements: posts(r, (c) => c.args.channel === DEMO_IDS.announceChannel).length,
        dms: dms.length,
        dmedTwice: [...new Set(dmed.filter((user, i) => dmed.indexOf(user) !== i))],
      },
      answers.join('\n'),
    ).toEqual({ changes: 1, planned: 1, approvalMessages: 1, announcements: 1, dms: 10, dmedTwice: [] });
    const change = planned[0]!;
    expect(change.targetAmi).toBe(baked.facts.imageId);
    expect(answers.filter((text) => text.startsWith(`Planned ${change._id}:`))).toHaveLength(1);
    expect(answers.filter((text) => text.includes(`${change._id} (rollout) on acme is still pending`))).toHaveLength(7);
    expect(posts(r, textStarts(`:mega: Announced ${change._id}`))).toHaveLength(1);
    expect(await audit(r, 'change.planned')).toHaveLength(1);
    expect(await audit(r, 'change.announced')).toHaveLength(1);
    expect(r.tierWrites).toEqual([]);
  }, 30_000);

  it('Approve clicked 8 times by two approvers on both replicas: one decision, each tier written once, one "applied"', async () => {
    const r = await twoReplicas();
    await r.a.slash(`plan ${r.newAmi}`, { responseId: 'plan' });
    expect(await r.a.answer('plan')).toMatch(/^Planned chg-/);
    const change = await latestChange(r.a, 'rollout');
    await idle(r);

    const answers = await deliverAll(
      r,
      'approve',
      spread(r, 8, (i) => ({
        action: ACTION_IDS.approve,
        value: change._id,
        userId: APPROVERS[i % 2]!,
        messageTs: change.message!.ts,
      })),
    );
    const applied = await waitForStatus(r, change._id, 'applied');
    const winner = applied.decision!.by;
    expect([APPROVERS[0], APPROVERS[1]]).toContain(winner);
    expect(answers.filter((text) => text.startsWith(`You approved ${change._id}`))).toHaveLength(1);
    expect(answers.filter((text) => text.includes(`already approved by <@${winner}>`))).toHaveLength(7);

    expect(applied.apply?.attempt).toBe(1);
    expect(applied.result?.conflicts).toEqual([]);
    const moved = applied.updates.map((t) => t.id).sort();
    expect(moved).toEqual(['large', 'medium', 'small-k8s', DEMO_IDS.testTierId].sort());
    expect(r.tierWrites.map((w) => w.tierId).sort()).toEqual(moved);
    expect(r.tierWrites.every((w) => w.to === r.newAmi)).toBe(true);
    expect(tierImages(r.a)).toEqual({ ...r.original, ...Object.fromEntries(moved.map((id) => [id, r.newAmi])) });
    expect(await audit(r, 'change.approved')).toHaveLength(1);
    expect(await audit(r, 'change.applied')).toHaveLength(1);
    expect(posts(r, textStarts(`${change._id} applied:`))).toHaveLength(1);
    // The drain listing that follows an apply was made once too.
    expect(await changesOf(r, 'drain')).toHaveLength(1);
  }, 30_000);

  it('Approve and Reject clicked at once on both replicas, twice: exactly one decision each, tiers all applied or untouched', async () => {
    const r = await twoReplicas();
    // Per replica, one approve and one reject in every four deliveries, all from the approver group (neither
    // decision has a shorter path to the store). Two rounds with the clicks in another order: across runs both
    // outcomes are seen, and whichever wins must hold up.
    const approve = (userId: string) => ({ action: ACTION_IDS.approve, userId });
    const reject = (userId: string) => ({ action: ACTION_IDS.reject, userId });
    const rounds = [
      {
        ami: r.newAmi,
        clicks: [reject(APPROVERS[2]!), approve(APPROVERS[0]!), approve(APPROVERS[1]!), reject(APPROVERS[3]!)],
      },
      {
        ami: (await gateReadyAmi(r.a)).amiId,
        clicks: [approve(APPROVERS[4]!), reject(APPROVERS[6]!), reject(APPROVERS[7]!), approve(APPROVERS[5]!)],
      },
    ];
    for (const [round, { ami, clicks }] of rounds.entries()) {
      const before = tierImages(r.a);
      const writesBefore = r.tierWrites.length;
      await r.a.slash(`plan ${ami}`, { responseId: `plan${round}` });
      expect(await r.a.answer(`plan${round}`)).toMatch(/^Planned chg-/);
      const change = (await changesOf(r, 'rollout')).find((c) => c.targetAmi === ami)!;
      await idle(r);

      const answers = await deliverAll(
        r,
        `decide${round}-`,
        spread(r, 8, (i) => ({ ...clicks[i % 4]!, value: change._id, messageTs: change.message!.ts })),
      );
      const winners = answers.filter((text) => /^You (approved|rejected) /.test(text));
      expect(winners, answers.join('\n')).toHaveLength(1);
      const decided = await until('the decision', async () => (await r.a.store.changes.get(change._id))?.decision);
      const outcome = decided.outcome;
      expect(winners[0]).toMatch(outcome === 'approved' ? /^You approved/ : /^You rejected/);
      expect(answers.filter((text) => text.includes(`already ${outcome} by <@${decided.by}>`))).toHaveLength(7);

      const moved = change.updates.map((t) => t.id).sort();
      const writes = () => r.tierWrites.slice(writesBefore);
      if (outcome === 'approved') {
        const applied = await waitForStatus(r, change._id, 'applied');
        expect(applied.apply?.attempt).toBe(1);
        expect(
          writes()
            .map((w) => w.tierId)
            .sort(),
        ).toEqual(moved);
        expect(tierImages(r.a)).toEqual({ ...before, ...Object.fromEntries(moved.map((id) => [id, ami])) });
        expect(await audit(r, 'change.applied', change._id)).toHaveLength(1);
        expect(posts(r, textStarts(`${change._id} applied:`))).toHaveLength(1);
      } else {
        await idle(r);
        const rejected = await r.a.store.changes.get(change._id);
        expect(rejected?.status).toBe('rejected');
        expect(rejected?.apply).toBeUndefined();
        expect(writes()).toEqual([]);
        expect(tierImages(r.a)).toEqual(before);
        expect(await audit(r, 'change.applied', change._id)).toHaveLength(0);
        expect(posts(r, textStarts(`${change._id} applied:`))).toHaveLength(0);
      }
      const decisions = [
        ...(await audit(r, 'change.approved', change._id)),
        ...(await audit(r, 'change.rejected', change._id)),
      ];
      expect(decisions.map((e) => [e.action, e.actor])).toEqual([[`change.${outcome}`, decided.by]]);
    }
  }, 30_000);

  it('/ami revert delivered 8 times to both replicas, then Approve on both: one revert change, tiers back once', async () => {
    // The database takes 0.3 s to store a new revert: every duplicate arrives before the first one is stored.
    const r = await twoReplicas({ slowStore: slowChangeInsert('revert', 300) });
    const source = await appliedRollout(r);
    const writesBefore = r.tierWrites.length;
    const moved = source.updates.map((t) => t.id).sort();

    const answers = await deliverAll(
      r,
      'revert',
      spread(r, 8, () => ({ slash: `revert ${source._id}` })),
    );
    await idle(r);
    const reverts = await changesOf(r, 'revert');
    const approvalsAsked = posts(r, blocksMention(ACTION_IDS.approve)).length;
    expect(
      {
        reverts: reverts.length,
        planned: answers.filter((text) => text.startsWith('Planned chg-')).length,
        // The rollout's and the revert's.
        approvalMessages: approvalsAsked,
      },
      answers.join('\n'),
    ).toEqual({ reverts: 1, planned: 1, approvalMessages: 2 });
    const revert = reverts[0]!;
    expect(revert.revertOf).toBe(source._id);
    expect(
      answers.filter((text) => text.startsWith(`Planned ${revert._id}, the revert of ${source._id}`)),
    ).toHaveLength(1);
    expect(answers.filter((text) => text.includes(`${revert._id} (revert) on acme is still pending`))).toHaveLength(7);

    const approvals = await deliverAll(
      r,
      'revert-ok',
      spread(r, 6, (i) => ({
        action: ACTION_IDS.approve,
        value: revert._id,
        userId: APPROVERS[3 + (i % 2)]!,
        messageTs: revert.message!.ts,
      })),
    );
    const reverted = await waitForStatus(r, revert._id, 'applied');
    expect(approvals.filter((text) => text.startsWith(`You approved ${revert._id}`))).toHaveLength(1);
    expect(reverted.apply?.attempt).toBe(1);
    // Each moved tier written once more, back to the AMI found before the rollout.
    const back = r.tierWrites.slice(writesBefore);
    expect(back.map((w) => w.tierId).sort()).toEqual(moved);
    for (const w of back) expect(w.to).toBe(r.original[w.tierId]);
    expect(tierImages(r.a)).toEqual(r.original);
    expect(await audit(r, 'change.applied', revert._id)).toHaveLength(1);
    expect(await audit(r, 'change.applied')).toHaveLength(2);
    expect(posts(r, textStarts(`${revert._id} applied:`))).toHaveLength(1);
  }, 30_000);

  it('drain Terminate clicked 8 times by two approvers on both replicas: each stopped executor terminated once', async () => {
    const r = await twoReplicas();
    const source = await appliedRollout(r);
    const drain = await latestChange(r.a, 'drain');
    expect(drain.drainOf).toBe(source._id);
    const stopped = (drain.drain?.stopped ?? []).map((i) => i.id).sort();
    expect(drain.drain?.stopped.map((i) => i.tierId).sort()).toEqual(['large', 'small-k8s']);
    expect(r.terminated).toEqual([]);

    // `/ami drain` delivered 6 more times to both replicas while that drain is open: no second drain listing the
    // same executors for termination, every delivery told which one is pending.
    const again = await deliverAll(
      r,
      'redrain',
      spread(r, 6, () => ({ slash: `drain ${source._id}` })),
    );
    expect(
      again.filter((text) => text.includes(`${drain._id} (drain after ${source._id}) is still pending`)),
    ).toHaveLength(6);
    expect((await changesOf(r, 'drain')).map((c) => c._id)).toEqual([drain._id]);

    const answers = await deliverAll(
      r,
      'drain',
      spread(r, 8, (i) => ({
        action: ACTION_IDS.drainTerminate,
        value: drain._id,
        userId: APPROVERS[5 + (i % 2)]!,
        messageTs: drain.message!.ts,
      })),
    );
    const drained = await waitForStatus(r, drain._id, 'applied');
    expect(answers.filter((text) => text.startsWith(`You approved ${drain._id}`))).toHaveLength(1);
    expect(answers.filter((text) => text.includes('already approved by'))).toHaveLength(7);
    expect(drained.apply?.attempt).toBe(1);
    expect(drained.result?.applied.sort()).toEqual(stopped);
    // TerminateInstances was asked once per stopped executor, by one replica, and nothing else was touched.
    expect([...r.terminated].sort()).toEqual(stopped);
    for (const instance of r.world.instances.values()) {
      const gone = instance.state === 'shutting-down' || instance.state === 'terminated';
      expect(gone, `${instance.id} ${instance.tags.Name}`).toBe(stopped.includes(instance.id));
    }
    expect(await audit(r, 'drain.terminated')).toHaveLength(1);
    expect(posts(r, textStarts(`${drain._id} applied:`))).toHaveLength(1);
  }, 30_000);
});

describe('duplicate and concurrent review button clicks across two replicas on one database', () => {
  const isReport = (c: FakeSlackCall) =>
    c.method === 'chat.postMessage' && String(c.args.text).startsWith('AMI review of acme');
  const reviewIdOf = (call: FakeSlackCall): string => {
    const blocks = call.args.blocks as Array<{ type: string; elements?: Array<{ value?: string }> }>;
    return blocks.find((b) => b.type === 'actions')?.elements?.[0]?.value ?? '';
  };

  async function openReview(r: Replicas, responseId: string): Promise<{ reviewId: string; ts: string }> {
    await r.b.slash('review', { responseId });
    expect(await r.b.answer(responseId)).toBe(`Posted the AMI review of acme in <#${OPS}>.`);
    const report = r.fake.calls.filter(isReport).at(-1)!;
    return { reviewId: reviewIdOf(report), ts: (report.response as { ts: string }).ts };
  }

  it('Snooze, Mark reviewed, and Start bake against Mark reviewed, 8 clicks each: one state change each, one bake at most', async () => {
    // A clock that stands still: every click happens at the same virtual instant, and a started bake waits.
    const r = await twoReplicas({ newAmi: false, clock: createManualClock(new Date('2026-10-01T10:00:00Z')) });
    const first = await openReview(r, 'review-1');

    const snoozes = await deliverAll(
      r,
      'snooze',
      spread(r, 8, () => ({ action: ACTION_IDS.reviewSnooze, value: first.reviewId, messageTs: first.ts })),
    );
    expect(
      snoozes.filter((text) => text.startsWith('Snoozed the AMI review of acme')),
      snoozes.join('\n'),
    ).toHaveLength(1);
    expect(snoozes.filter((text) => text.startsWith('Already snoozed by'))).toHaveLength(7);
    const snoozed = await r.a.store.reviews.get(first.reviewId);
    expect(snoozed?.status).toBe('open');
    expect(snoozed?.snoozes).toBe(1);

    const dones = await deliverAll(
      r,
      'done',
      spread(r, 8, () => ({ action: ACTION_IDS.reviewDone, value: first.reviewId, messageTs: first.ts })),
    );
    expect(
      dones.filter((text) => text.startsWith('Marked the AMI review of acme reviewed')),
      dones.join('\n'),
    ).toHaveLength(1);
    expect(dones.filter((text) => /already marked reviewed|Another admin just acted/.test(text))).toHaveLength(7);
    const reviewed = await r.a.store.reviews.get(first.reviewId);
    expect(reviewed?.status).toBe('reviewed');
    expect(reviewed?.snoozes).toBe(1);

    // Start bake (6 clicks) races Mark reviewed (2 clicks) on a new review: one of them closes it.
    const second = await openReview(r, 'review-2');
    const clicks = await deliverAll(
      r,
      'close',
      spread(r, 8, (i) => ({
        action: i === 3 || i === 4 ? ACTION_IDS.reviewDone : ACTION_IDS.reviewStartBake,
        value: second.reviewId,
        messageTs: second.ts,
      })),
    );
    const bakeStarted = clicks.filter((text) => /^Bake bake-\d{8}-[a-z0-9]{4} of acme started/.test(text));
    const markedDone = clicks.filter((text) => text.startsWith('Marked the AMI review of acme reviewed'));
    expect(bakeStarted.length + markedDone.length, clicks.join('\n')).toBe(1);
    const closed = await r.a.store.reviews.get(second.reviewId);
    const bakes = await r.a.store.bakes.listRecent(10);
    if (bakeStarted.length === 1) {
      expect(closed?.status).toBe('bake-started');
      expect(bakes).toHaveLength(1);
      expect(closed?.bake?.bakeId).toBe(bakes[0]?._id);
      expect(bakes[0]?.note).toBe(`Started from AMI review ${second.reviewId}`);
    } else {
      expect(closed?.status).toBe('reviewed');
      expect(bakes).toHaveLength(0);
    }
    expect(clicks.filter((text) => /already|Another admin just acted/.test(text))).toHaveLength(7);
  }, 30_000);
});
