// A fake Domino REST API (v4 jobs) on 127.0.0.1. Each started job follows a scripted timeline of execution
// statuses against an injected clock, so a test of the AMI test can run "5 minutes" of Domino in milliseconds.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** [status, virtual ms after the start request]; the job is in the last status whose time has come. */
export type Timeline = Array<[string, number]>;

export interface FakeDominoCall {
  method: string;
  path: string;
  apiKey: string | undefined;
  body: Record<string, unknown>;
}

export type FakeDominoFault = 'unauthorized' | 'server-error' | 'hang' | 'not-json';

export interface FakeDomino {
  readonly url: string;
  readonly calls: FakeDominoCall[];
  /** The timeline of the next started job (else the default). */
  nextTimeline(timeline: Timeline): void;
  /** Faults for the next requests, in order. */
  failNext(...faults: FakeDominoFault[]): void;
  jobs: Map<string, { timeline: Timeline; startMs: number; stoppedMs?: number; body: Record<string, unknown> }>;
  /** What `/api/hardwaretiers/v1/hardwaretiers` answers (Domino 4+ tiers with their node pools). */
  hardwareTiers: Array<{ id: string; name: string; nodePool?: string }>;
  /** Runs of other users, served by `/api/jobs/v1/jobs?hardwareTierId=…&isCompleted=false`. */
  runs: Array<{
    id: string;
    hardwareTierId: string;
    projectOwnerName: string;
    projectName: string;
    username: string;
    status: string;
    isCompleted: boolean;
  }>;
  close(): Promise<void>;
}

const TERMINAL = new Set(['Succeeded', 'Failed', 'Error', 'Stopped']);

export const TIMELINES = {
  /** Booted a new executor from an AMI that has the image: Pulling ~1 s. */
  fast: [
    ['Queued', 0],
    ['Pulling', 150_000],
    ['Preparing', 151_000],
    ['Running', 165_000],
    ['Succeeded', 180_000],
  ],
  /** The image is not on the AMI: 95 s of Pulling. */
  slowPulling: [
    ['Queued', 0],
    ['Pulling', 140_000],
    ['Preparing', 235_000],
    ['Running', 250_000],
    ['Succeeded', 265_000],
  ],
  /** Domino gives up on the run before it runs. */
  failure: [
    ['Queued', 0],
    ['Pulling', 60_000],
    ['Error', 70_000],
  ],
  /** Stuck in Queued for ever (no capacity): the test must time out. */
  stuck: [['Queued', 0]],
} satisfies Record<string, Timeline>;

export async function startFakeDomino(options: { apiKey: string; now: () => number }): Promise<FakeDomino> {
  const calls: FakeDominoCall[] = [];
  const jobs: FakeDomino['jobs'] = new Map();
  const hardwareTiers: FakeDomino['hardwareTiers'] = [];
  const runs: FakeDomino['runs'] = [];
  const timelines: Timeline[] = [];
  const faults: FakeDominoFault[] = [];
  const hanging = new Set<ServerResponse>();
  let seq = 0;

  const statusOf = (jobId: string) => {
    const job = jobs.get(jobId);
    if (!job) return undefined;
    const nowMs = options.now();
    if (job.stoppedMs !== undefined) return { executionStatus: 'Stopped', isCompleted: true };
    let status = job.timeline[0]?.[0] ?? 'Queued';
    for (const [s, at] of job.timeline) if (nowMs - job.startMs >= at) status = s;
    return { executionStatus: status, isCompleted: TERMINAL.has(status) };
  };

  const send = (res: ServerResponse, status: number, body: unknown) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const raw = await new Promise<string>((resolve) => {
      let text = '';
      req.on('data', (c: Buffer) => {
        text += c.toString('utf8');
      });
      req.on('end', () => resolve(text));
    });
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname;
    const apiKey = req.headers['x-domino-api-key'] as string | undefined;
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    calls.push({ method: req.method ?? '', path, apiKey, body });
    const fault = faults.shift();
    if (fault === 'hang') {
      hanging.add(res);
      return;
    }
    if (fault === 'unauthorized' || apiKey !== options.apiKey) return send(res, 401, { message: 'Unauthorized' });
    if (fault === 'server-error') return send(res, 503, { message: 'Service Unavailable: mongo down' });
    if (fault === 'not-json') return res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>');
    if (req.method === 'GET' && path === '/api/hardwaretiers/v1/hardwaretiers') {
      return send(res, 200, { hardwareTiers, metadata: { totalCount: hardwareTiers.length } });
    }
    if (req.method === 'GET' && path === '/api/jobs/v1/jobs') {
      const tier = url.searchParams.get('hardwareTierId');
      const open = url.searchParams.get('isCompleted') === 'false';
      const jobs = runs
        .filter((run) => run.hardwareTierId === tier && (!open || !run.isCompleted))
        .map((run) => ({
          id: run.id,
          projectOwnerName: run.projectOwnerName,
          projectName: run.projectName,
          startedBy: { username: run.username },
          statuses: { executionStatus: run.status, isCompleted: run.isCompleted },
        }));
      return send(res, 200, { jobs });
    }
    if (req.method === 'POST' && path === '/v4/jobs/start') {
      const id = `job${String(++seq).padStart(4, '0')}`;
      jobs.set(id, { timeline: timelines.shift() ?? TIMELINES.fast, startMs: options.now(), body });
      return send(res, 200, { id, number: seq, projectId: body.projectId });
    }
    const status = /^\/v4\/jobs\/([\w-]+)$/.exec(path);
    if (req.method === 'GET' && status) {
      const statuses = statusOf(status[1]!);
      return statuses ? send(res, 200, { id: status[1], statuses }) : send(res, 404, { message: 'no such job' });
    }
    if (req.method === 'POST' && path === '/v4/jobs/stop') {
      const job = jobs.get(String(body.jobId));
      if (!job) return send(res, 404, { message: 'no such job' });
      job.stoppedMs ??= options.now();
      return send(res, 200, {});
    }
    return send(res, 404, { message: 'not found' });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { message: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    jobs,
    hardwareTiers,
    runs,
    nextTimeline: (timeline) => void timelines.push(timeline),
    failNext: (...list) => void faults.push(...list),
    close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
