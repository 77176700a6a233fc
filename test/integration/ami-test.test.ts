import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDominoApi } from '../../src/adapters/domino/domino-api.js';
import type { DominoApiPort } from '../../src/ports/domino.js';
import type { AmiTestRecord } from '../../src/rollout/ami-test-record.js';
import { type FakeDomino, startFakeDomino, TIMELINES } from '../support/fake-domino.js';
import { useTestDatabase } from '../support/mongo.js';
import { allText } from '../support/rollout-fixtures.js';
import { ADMIN, AMI, bakedAmi, OPS, type RolloutRig, startRolloutRig } from '../support/rollout-rig.js';
import { createSteppingClock } from '../support/stepping-clock.js';

const domino = useTestDatabase('amitest');
const KEY = 'domino-key-for-tests';
const CANDIDATE = 'ami-0cccccccccccccc01';
const CANDIDATE2 = 'ami-0cccccccccccccc02';

describe('AMI test: only the test tier, a timed Domino job, a clear verdict', () => {
  let rig: RolloutRig;
  let fake: FakeDomino;
  const clock = createSteppingClock(new Date('2026-11-28T09:00:00Z'));
  /** How Domino places the next job: on a new executor booted from the tier's AMI (default), or elsewhere. */
  let placement: 'fresh' | 'old-executor' | 'none' | 'same-second' = 'fresh';
  let executorSeq = 0;
  /** The fake Domino has no EC2: this wrapper boots the job's executor in the fake EC2, as Domino's autoscaler would. */
  const withExecutors = (api: DominoApiPort): DominoApiPort => ({
    ...api,
    async startJob(input) {
      const id = await api.startJob(input);
      const ami = (await rig.readTiers()).get(input.hardwareTierId)?.executorImage as string;
      const nowMs = clock.now().getTime();
      // EC2 reports LaunchTime in whole seconds: an executor booted in the second the test began reads as earlier.
      const launched = new Date(
        placement === 'old-executor' ? nowMs - 3_600_000 : placement === 'same-second' ? nowMs - (nowMs % 1000) : nowMs,
      );
      if (placement !== 'none') {
        rig.ec2.addInstance(
          `i-0e0ec${String(++executorSeq).padStart(12, '0')}`,
          // Domino launches executors with the deployment's scope tag besides the tier tag (executorScopeTags).
          { 'domino-deployment': 'acme', 'domino-executor-group': input.hardwareTierId },
          placement === 'old-executor' ? AMI.old1 : ami,
          'running',
          launched,
        );
      }
      return id;
    },
  });
  /** Between tests: Domino (or an approved drain) terminated the last test's executors. */
  const clearTestTier = () => {
    for (const instance of rig.ec2.instances.values()) {
      if (instance.tags['domino-executor-group'] === 'test-tier') instance.state = 'terminated';
    }
  };
  beforeAll(async () => {
    fake = await startFakeDomino({ apiKey: KEY, now: () => clock.now().getTime() });
    rig = await startRolloutRig({
      domino: domino.db,
      clock,
      dominoApi: withExecutors(createDominoApi({ apiUrl: fake.url, apiKey: KEY, timeoutMs: 2_000 })),
      tweak: (config) => {
        config.domino.testProjectId = 'proj-smoke';
        config.domino.testEnvironmentId = 'env-base';
        config.domino.testTimeoutMinutes = 5;
      },
    });
    await bakedAmi(rig, CANDIDATE, 'domino-acme-executor-20261201-0900', 'bake-20261201-cnd1');
    await bakedAmi(rig, CANDIDATE2, 'domino-acme-executor-20261202-0900', 'bake-20261202-cnd2');
  });
  afterAll(async () => {
    await rig.close();
    await fake.close();
  });

  async function runTest(target: string, keep?: boolean): Promise<{ reply: string; test: AmiTestRecord }> {
    clearTestTier();
    const reply = await rig.rollout.useCases.testAmi({
      userId: ADMIN,
      channelId: OPS,
      target,
      ...(keep ? { keep } : {}),
    });
    const testId = /test-\d{8}-[a-z0-9]{4}/.exec(reply.text)?.[0] ?? '';
    await rig.tasks.idle();
    const test = await rig.store.amiTests.get(testId);
    if (!test) throw new Error(`no test in: ${reply.text}`);
    return { reply: reply.text, test };
  }

  it('points only the test tier at the AMI, times a fast start on a fresh executor, passes, and puts the tier back', async () => {
    const before = await rig.readTiers();
    fake.nextTimeline(TIMELINES.fast);
    const { reply, test } = await runTest(CANDIDATE);
    expect(reply).toContain(`goes back to ${AMI.new} afterwards`);
    expect(test.status).toBe('passed');
    expect(test.previousAmi).toBe(AMI.new);
    // Exact to the 2 s poll: Queued 150 s, Pulling 1 s (seen at most once), Preparing 14 s, Running at 165 s.
    expect(test.seconds.Queued).toBe(150);
    expect(test.seconds.Pulling ?? 0).toBeLessThanOrEqual(2);
    expect(test.toRunningSeconds).toBe(166);
    // The proof: the executor that ran it was booted from the candidate after the test began.
    expect(test.executor?.imageId).toBe(CANDIDATE);
    expect(test.executor?.launchTime.getTime()).toBeGreaterThanOrEqual(test.createdAt.getTime());
    expect(test.executor?.instanceId).toMatch(/^i-0e0ec/);
    expect(test.unproven).toBeUndefined();
    // Every tier as before: the test tier pointed at the candidate for the test only.
    expect(await rig.readTiers()).toEqual(before);
    expect(test.restore).toMatchObject({ outcome: 'restored' });
    const start = fake.calls.find((c) => c.path === '/v4/jobs/start');
    expect(start?.body).toMatchObject({
      projectId: 'proj-smoke',
      overrideHardwareTierId: 'test-tier',
      environmentId: 'env-base',
    });
    const message = rig.chat.latest(test.messageTs!)!;
    expect(allText(message)).toContain(':white_check_mark: passed');
    expect(allText(message)).toContain(`Ran on ${test.executor?.instanceId}, booted from ${CANDIDATE}`);
    expect(allText(message)).toContain(`Test tier back on ${AMI.new}`);
    const audit = await rig.store.audit.listRecent(10);
    expect(audit.find((e) => e.action === 'test.tier-switched')).toMatchObject({
      before: { 'test-tier': AMI.new },
      after: { 'test-tier': CANDIDATE },
    });
    expect(audit.find((e) => e.action === 'test.tier-restored')).toMatchObject({
      before: { 'test-tier': CANDIDATE },
      after: { 'test-tier': AMI.new },
    });
  });

  it('a fast start on an executor that was up before the test is unproven, not passed', async () => {
    placement = 'old-executor';
    try {
      fake.nextTimeline(TIMELINES.fast);
      const { test } = await runTest(CANDIDATE);
      expect(test.status).toBe('unproven');
      expect(test.executor).toBeUndefined();
      expect(test.unproven).toContain(AMI.old1);
      expect(test.reason).toContain('does not count as passed');
      expect(allText(rig.chat.latest(test.messageTs!)!)).toContain('*unproven* (does not count as passed)');
      expect((await rig.readTiers()).get('test-tier')?.executorImage).toBe(AMI.new);
    } finally {
      placement = 'fresh';
    }
  });

  it('an executor booted in the second the test began passes: EC2 LaunchTime has whole seconds', async () => {
    placement = 'same-second';
    try {
      await clock.sleep(400); // the test starts 0.4 s into a second
      fake.nextTimeline([
        ['Running', 0],
        ['Succeeded', 10_000],
      ]);
      const { test } = await runTest(CANDIDATE);
      expect(test.createdAt.getMilliseconds()).toBe(400);
      expect(test.unproven).toBeUndefined();
      expect(test.status).toBe('passed');
      expect(test.executor?.imageId).toBe(CANDIDATE);
    } finally {
      placement = 'fresh';
    }
  });

  it('no executor found on EC2 while the job runs: unproven', async () => {
    placement = 'none';
    try {
      fake.nextTimeline(TIMELINES.fast);
      const { test } = await runTest(CANDIDATE2);
      expect(test.status).toBe('unproven');
      expect(test.unproven).toContain('no executor of the test tier was found');
    } finally {
      placement = 'fresh';
    }
  });

  it('--keep leaves the test tier on the AMI; a tier changed by someone else during the test is left alone', async () => {
    fake.nextTimeline(TIMELINES.fast);
    const kept = await runTest(CANDIDATE, true);
    expect(kept.reply).toContain('stays there afterwards (--keep)');
    expect(kept.test.status).toBe('passed');
    expect(kept.test.restore).toMatchObject({ outcome: 'kept' });
    expect((await rig.readTiers()).get('test-tier')?.executorImage).toBe(CANDIDATE);
    // Back by hand for the next cases; then a test during which a person edits the test tier.
    await domino.db
      .collection(rig.tierCollection)
      .updateOne({ _id: 'test-tier' as never }, { $set: { executorImage: AMI.new } });
    fake.nextTimeline(TIMELINES.stuck);
    clearTestTier();
    const reply = await rig.rollout.useCases.testAmi({ userId: ADMIN, channelId: OPS, target: CANDIDATE2 });
    const testId = /test-\d{8}-[a-z0-9]{4}/.exec(reply.text)?.[0] ?? '';
    while (!(await rig.store.amiTests.get(testId))?.jobId) await new Promise((r) => setTimeout(r, 5));
    await domino.db
      .collection(rig.tierCollection)
      .updateOne({ _id: 'test-tier' as never }, { $set: { executorImage: AMI.old2 } });
    await rig.rollout.useCases.cancelTest({ userId: ADMIN, testId });
    await rig.tasks.idle();
    const test = await rig.store.amiTests.get(testId);
    expect(test?.restore?.outcome).toBe('changed');
    expect((await rig.readTiers()).get('test-tier')?.executorImage).toBe(AMI.old2);
    await domino.db
      .collection(rig.tierCollection)
      .updateOne({ _id: 'test-tier' as never }, { $set: { executorImage: AMI.new } });
  });

  it('fails on slow Pulling and shows the previous AMI’s figures beside it', async () => {
    fake.nextTimeline(TIMELINES.slowPulling);
    const { test } = await runTest(CANDIDATE2);
    expect(test.status).toBe('failed');
    expect(test.seconds.Pulling).toBe(96);
    expect(test.reason).toContain('not (fully) cached');
    expect((await rig.readTiers()).get('test-tier')?.executorImage).toBe(AMI.new);
    const text = allText(rig.chat.latest(test.messageTs!)!);
    expect(text).toContain(`the last test of another AMI, ${CANDIDATE}`);
    expect(text).toContain(':x: failed');
  });

  it('reports a job that ends in Error before running', async () => {
    fake.nextTimeline(TIMELINES.failure);
    const { test } = await runTest(CANDIDATE);
    expect(test.status).toBe('failed');
    expect(test.reason).toBe('The job ended Error before it was Running.');
  });

  it('times out a job stuck in Queued and stops it', async () => {
    fake.nextTimeline(TIMELINES.stuck);
    const { test } = await runTest(CANDIDATE2);
    expect(test.status).toBe('failed');
    expect(test.reason).toContain('Timed out after 5 min in Queued');
    expect(fake.jobs.get(test.jobId!)?.stoppedMs).toBeDefined();
  });

  it('stops the Domino job of a cancelled test and puts the test tier back', async () => {
    fake.nextTimeline(TIMELINES.stuck);
    clearTestTier();
    const reply = await rig.rollout.useCases.testAmi({ userId: ADMIN, channelId: OPS, target: CANDIDATE });
    const testId = /test-\d{8}-[a-z0-9]{4}/.exec(reply.text)?.[0] ?? '';
    const second = await rig.rollout.useCases
      .testAmi({ userId: ADMIN, channelId: OPS, target: CANDIDATE })
      .catch((e: Error) => e.message);
    expect(second).toContain(`Test ${testId} of acme is still running`);
    while (!(await rig.store.amiTests.get(testId))?.jobId) await new Promise((r) => setTimeout(r, 5));
    const cancel = await rig.rollout.useCases.cancelTest({ userId: ADMIN, testId });
    expect(cancel.text).toContain('Cancelling test');
    await rig.tasks.idle();
    const test = await rig.store.amiTests.get(testId);
    expect(test?.status).toBe('cancelled');
    expect(fake.jobs.get(test!.jobId!)?.stoppedMs).toBeDefined();
    expect(fake.calls.filter((c) => c.path === '/v4/jobs/stop').at(-1)?.body).toMatchObject({ jobId: test?.jobId });
    expect(test?.restore?.outcome).toBe('restored');
    expect((await rig.readTiers()).get('test-tier')?.executorImage).toBe(AMI.new);
  });

  it('refuses to start while executors of the test tier are up (any AMI, this one too), naming them; nothing changes', async () => {
    clearTestTier();
    const before = await rig.readTiers();
    const tests = (await rig.store.amiTests.listRecent(50)).length;
    const starts = fake.calls.filter((c) => c.path === '/v4/jobs/start').length;
    rig.ec2.addInstance(
      'i-0stale0test0tier01',
      { 'domino-deployment': 'acme', 'domino-executor-group': 'test-tier' },
      AMI.old1,
      'stopped',
    );
    const stopped = await rig.rollout.useCases
      .testAmi({ userId: ADMIN, channelId: OPS, target: CANDIDATE2 })
      .catch((e: Error) => e.message);
    expect(stopped).toContain('i-0stale0test0tier01 (stopped, ami-0a11111111111111a');
    expect(stopped).toContain('aws ec2 terminate-instances --instance-ids i-0stale0test0tier01');
    expect(stopped).toContain('once a second person agrees');
    // An executor left running on the very AMI under test by an earlier test: the false pass of issue 13.
    rig.ec2.instances.get('i-0stale0test0tier01')!.state = 'terminated';
    rig.ec2.addInstance(
      'i-0warm0test0tier001',
      { 'domino-deployment': 'acme', 'domino-executor-group': 'test-tier' },
      CANDIDATE2,
      'running',
    );
    const warm = await rig.rollout.useCases
      .testAmi({ userId: ADMIN, channelId: OPS, target: CANDIDATE2 })
      .catch((e: Error) => e.message);
    expect(warm).toContain(`i-0warm0test0tier001 (running, ${CANDIDATE2}`);
    expect(warm).toContain('Wait until Domino has stopped them');
    expect(await rig.readTiers()).toEqual(before);
    expect((await rig.store.amiTests.listRecent(50)).length).toBe(tests);
    expect(fake.calls.filter((c) => c.path === '/v4/jobs/start').length).toBe(starts);
    expect(await rig.store.locks.holderOf('test:acme')).toBeUndefined();
    clearTestTier();
  });

  it('refuses an AMI that the gate would refuse: not owned, not from a bake, from a failed bake', async () => {
    const before = await rig.readTiers();
    rig.ec2.addImage('ami-0b0b11c0000000001', 'ubuntu-jammy-public', {}, { ownerId: '099720109477' });
    rig.ec2.addImage('ami-0ccc0de0c0de00001', 'hand-made', { team: 'ml' });
    const failed = await bakedAmi(
      rig,
      'ami-0fa11ed00000000a1',
      'domino-acme-executor-20261203-0900',
      'bake-20261203-fail',
    );
    await rig.store.bakes.requestCancel(failed._id, ADMIN, clock.now());
    const tryTest = (target: string) =>
      rig.rollout.useCases.testAmi({ userId: ADMIN, channelId: OPS, target }).catch((e: Error) => e.message);
    expect(await tryTest('ami-0b0b11c0000000001')).toContain('belongs to another AWS account (099720109477)');
    expect(await tryTest(AMI.gpu)).toContain('was not made by ami-bot');
    expect(await tryTest('ami-0ccc0de0c0de00001')).toContain('was not made by ami-bot');
    expect(await rig.readTiers()).toEqual(before);
  });

  it('says so when Domino refuses the API key, and frees the deployment for the next test', async () => {
    fake.failNext('unauthorized');
    const { test } = await runTest(CANDIDATE);
    expect(test.status).toBe('error');
    expect(test.reason).toContain('Domino refused the API key');
    expect(await rig.store.locks.holderOf('test:acme')).toBeUndefined();
  });

  it('takes over from a test whose process died long ago, closing it as an error', async () => {
    const deadId = 'test-20261128-dead';
    const createdAt = new Date(clock.now().getTime() - 60 * 60_000);
    await rig.store.amiTests.insert({
      _id: deadId,
      deployment: 'acme',
      requester: ADMIN,
      amiId: CANDIDATE,
      tierId: 'test-tier',
      tierLabel: 'AMI test tier',
      previousAmi: AMI.new,
      channel: OPS,
      status: 'running',
      staleExecutors: [],
      seconds: {},
      statesSeen: [],
      pullPassSeconds: 5,
      createdAt,
    });
    expect(await rig.store.locks.acquire('test:acme', deadId, createdAt)).toBeUndefined();
    // The dead process left the test tier on the AMI it was testing.
    await domino.db
      .collection(rig.tierCollection)
      .updateOne({ _id: 'test-tier' as never }, { $set: { executorImage: CANDIDATE } });
    fake.nextTimeline(TIMELINES.fast);
    const { test } = await runTest(CANDIDATE2);
    expect(test.status).toBe('passed');
    // The tier is read after the takeover put it back: the new test goes back to the AMI before the dead one.
    expect(test.previousAmi).toBe(AMI.new);
    expect((await rig.readTiers()).get('test-tier')?.executorImage).toBe(AMI.new);
    expect((await rig.store.amiTests.get(deadId))?.status).toBe('error');
    expect((await rig.store.amiTests.get(deadId))?.restore?.outcome).toBe('restored');
  });
});
