import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDominoApi } from '../../src/adapters/domino/domino-api.js';
import type { AmiTestRecord } from '../../src/rollout/ami-test-record.js';
import { type FakeDomino, startFakeDomino, TIMELINES } from '../support/fake-domino.js';
import { useTestDatabase } from '../support/mongo.js';
import { allText } from '../support/rollout-fixtures.js';
import { ADMIN, AMI, OPS, type RolloutRig, startRolloutRig } from '../support/rollout-rig.js';
import { createSteppingClock } from '../support/stepping-clock.js';

const domino = useTestDatabase('amitest');
const KEY = 'domino-key-for-tests';
const CANDIDATE = 'ami-0cccccccccccccc01';
const CANDIDATE2 = 'ami-0cccccccccccccc02';

describe('AMI test: only the test tier, a timed Domino job, a clear verdict', () => {
  let rig: RolloutRig;
  let fake: FakeDomino;
  const clock = createSteppingClock(new Date('2026-11-28T09:00:00Z'));
  beforeAll(async () => {
    fake = await startFakeDomino({ apiKey: KEY, now: () => clock.now().getTime() });
    rig = await startRolloutRig({
      domino: domino.db,
      clock,
      dominoApi: createDominoApi({ apiUrl: fake.url, apiKey: KEY, timeoutMs: 2_000 }),
      tweak: (config) => {
        config.domino.testProjectId = 'proj-smoke';
        config.domino.testEnvironmentId = 'env-base';
        config.domino.testTimeoutMinutes = 5;
      },
    });
    rig.ec2.addImage(CANDIDATE, 'domino-acme-executor-20261201-0900');
    rig.ec2.addImage(CANDIDATE2, 'domino-acme-executor-20261202-0900');
  });
  afterAll(async () => {
    await rig.close();
    await fake.close();
  });

  async function runTest(target: string): Promise<{ reply: string; test: AmiTestRecord }> {
    const reply = await rig.rollout.useCases.testAmi({ userId: ADMIN, channelId: OPS, target });
    const testId = /test-\d{8}-[a-z0-9]{4}/.exec(reply.text)?.[0] ?? '';
    await rig.tasks.idle();
    const test = await rig.store.amiTests.get(testId);
    if (!test) throw new Error(`no test in: ${reply.text}`);
    return { reply: reply.text, test };
  }

  it('points only the test tier at the AMI, times a fast start and passes', async () => {
    const before = await rig.readTiers();
    fake.nextTimeline(TIMELINES.fast);
    const { test } = await runTest(CANDIDATE);
    expect(test.status).toBe('passed');
    expect(test.previousAmi).toBe(AMI.new);
    // Exact to the 2 s poll: Queued 150 s, Pulling 1 s (seen at most once), Preparing 14 s, Running at 165 s.
    expect(test.seconds.Queued).toBe(150);
    expect(test.seconds.Pulling ?? 0).toBeLessThanOrEqual(2);
    expect(test.toRunningSeconds).toBe(166);
    const after = await rig.readTiers();
    for (const [id, doc] of before) {
      expect(after.get(id), id).toEqual(id === 'test-tier' ? { ...doc, executorImage: CANDIDATE } : doc);
    }
    const start = fake.calls.find((c) => c.path === '/v4/jobs/start');
    expect(start?.body).toMatchObject({
      projectId: 'proj-smoke',
      overrideHardwareTierId: 'test-tier',
      environmentId: 'env-base',
    });
    const message = rig.chat.latest(test.messageTs!)!;
    expect(allText(message)).toContain(':white_check_mark: passed');
    expect((await rig.store.audit.listRecent(10)).find((e) => e.action === 'test.tier-switched')).toMatchObject({
      before: { 'test-tier': AMI.new },
      after: { 'test-tier': CANDIDATE },
    });
  });

  it('fails on slow Pulling and shows the previous AMI’s figures beside it', async () => {
    fake.nextTimeline(TIMELINES.slowPulling);
    const { test } = await runTest(CANDIDATE2);
    expect(test.status).toBe('failed');
    expect(test.seconds.Pulling).toBe(96);
    expect(test.reason).toContain('not (fully) cached');
    const text = allText(rig.chat.latest(test.messageTs!)!);
    expect(text).toContain(`Previous AMI ${CANDIDATE}`);
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

  it('stops the Domino job of a cancelled test', async () => {
    fake.nextTimeline(TIMELINES.stuck);
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
  });

  it('warns that the result may prove nothing when test-tier executors run another AMI', async () => {
    rig.ec2.addInstance(
      'i-0stale0test0tier01',
      { 'domino-deployment': 'acme', 'domino-executor-group': 'test-tier' },
      AMI.old1,
      'stopped',
    );
    fake.nextTimeline(TIMELINES.fast);
    const { reply, test } = await runTest(CANDIDATE2);
    expect(reply).toContain('may not prove anything');
    expect(test.staleExecutors).toEqual([{ id: 'i-0stale0test0tier01', imageId: AMI.old1, state: 'stopped' }]);
    expect(allText(rig.chat.latest(test.messageTs!)!)).toContain('This test may not prove anything');
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
    fake.nextTimeline(TIMELINES.fast);
    const { test } = await runTest(CANDIDATE2);
    expect(test.status).toBe('passed');
    expect((await rig.store.amiTests.get(deadId))?.status).toBe('error');
  });
});
