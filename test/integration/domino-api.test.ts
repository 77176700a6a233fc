import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDominoApi } from '../../src/adapters/domino/domino-api.js';
import { AppError } from '../../src/errors.js';
import { type FakeDomino, startFakeDomino, TIMELINES } from '../support/fake-domino.js';

const KEY = 'domino-secret-key-do-not-log';

describe('Domino REST API adapter against a fake Domino', () => {
  let fake: FakeDomino;
  let nowMs = 0;
  beforeAll(async () => {
    fake = await startFakeDomino({ apiKey: KEY, now: () => nowMs });
  });
  afterAll(async () => {
    await fake.close();
  });
  const api = (timeoutMs = 2_000) =>
    createDominoApi({ apiUrl: `${fake.url}/`, apiKey: KEY, timeoutMs, defaultProjectId: 'proj-default' });
  const start = {
    projectId: 'proj1',
    command: 'sleep 5',
    hardwareTierId: 'test-tier',
    environmentId: 'env1',
    title: 't',
  };

  it('starts a job with the v4 body and the key header, then follows its statuses', async () => {
    fake.nextTimeline(TIMELINES.slowPulling);
    const domino = api();
    nowMs = 0;
    const jobId = await domino.startJob(start);
    const call = fake.calls.find((c) => c.path === '/v4/jobs/start');
    expect(call?.apiKey).toBe(KEY);
    expect(call?.body).toEqual({
      projectId: 'proj1',
      commandToRun: 'sleep 5',
      overrideHardwareTierId: 'test-tier',
      environmentId: 'env1',
      title: 't',
    });
    const seen: string[] = [];
    for (const t of [0, 140_000, 200_000, 235_000, 250_000, 265_000]) {
      nowMs = t;
      const status = await domino.getJobStatus(jobId);
      seen.push(`${status.executionStatus}${status.isCompleted ? '!' : ''}`);
    }
    expect(seen).toEqual(['Queued', 'Pulling', 'Pulling', 'Preparing', 'Running', 'Succeeded!']);
  });

  it('stops a job with its project (remembered, or the default for a job it did not start)', async () => {
    const domino = api();
    const jobId = await domino.startJob(start);
    await domino.stopJob(jobId);
    expect(fake.calls.at(-1)?.body).toEqual({ projectId: 'proj1', jobId, commitResults: false });
    expect((await domino.getJobStatus(jobId)).executionStatus).toBe('Stopped');
    const other = await api().startJob(start);
    await api().stopJob(other);
    expect(fake.calls.at(-1)?.body).toMatchObject({ projectId: 'proj-default', jobId: other });
  });

  it('turns a refused key into a clear error that never contains the key', async () => {
    const bad = createDominoApi({ apiUrl: fake.url, apiKey: 'wrong-key', timeoutMs: 2_000 });
    const error = await bad.startJob(start).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('domino_auth');
    expect((error as AppError).message).toContain('Domino refused the API key');
    expect(JSON.stringify(error)).not.toContain('wrong-key');
  });

  it('reports server errors, answers that are not JSON, unknown jobs and timeouts clearly', async () => {
    const domino = api(300);
    fake.failNext('server-error');
    await expect(domino.getJobStatus('job0001')).rejects.toMatchObject({
      code: 'domino_server_error',
      message: expect.stringContaining('HTTP 503'),
    });
    fake.failNext('not-json');
    await expect(domino.getJobStatus('job0001')).rejects.toMatchObject({ code: 'domino_bad_response' });
    await expect(domino.getJobStatus('job9999')).rejects.toMatchObject({ code: 'domino_not_found' });
    fake.failNext('hang');
    const started = Date.now();
    await expect(domino.getJobStatus('job0001')).rejects.toMatchObject({
      code: 'domino_timeout',
      message: expect.stringContaining('0.3 s'),
    });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('says when Domino cannot be reached at all', async () => {
    const nowhere = createDominoApi({ apiUrl: 'http://127.0.0.1:9', apiKey: KEY, timeoutMs: 2_000 });
    await expect(nowhere.getJobStatus('job1')).rejects.toMatchObject({
      code: 'domino_unreachable',
      message: expect.stringContaining('127.0.0.1:9'),
    });
  });
});
