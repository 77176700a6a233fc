import { AppError } from '../../errors.js';
import type { ActiveRun, DominoApiPort, HardwareTierInfo, JobStatus } from '../../ports/domino.js';

export interface DominoApiOptions {
  /** Domino's base URL, e.g. https://domino.example.com */
  apiUrl: string;
  /** Sent as X-Domino-Api-Key; never logged, never put in an error message. */
  apiKey: string;
  /** Needed by POST /v4/jobs/stop for jobs this process did not start (e.g. after a restart). */
  defaultProjectId?: string;
  /** Per request (default 15 s). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

interface DominoJobView {
  id?: unknown;
  jobId?: unknown;
  statuses?: { executionStatus?: unknown; isCompleted?: unknown };
}

interface DominoRunView {
  id?: unknown;
  projectName?: unknown;
  projectOwnerName?: unknown;
  startedBy?: { username?: unknown };
  status?: unknown;
  statuses?: { executionStatus?: unknown; isCompleted?: unknown };
}

/** The list in an answer: the answer itself, or under its `field` (Domino's list endpoints wrap them). */
function listOf(view: unknown, field: string): unknown[] {
  if (Array.isArray(view)) return view;
  const inner = (view as Record<string, unknown>)[field];
  if (Array.isArray(inner)) return inner;
  throw new AppError('domino_bad_response', `Domino's answer has no ${field} list.`);
}

/**
 * DominoApiPort over Domino's public REST API (v4 jobs). Every call has a deadline (AbortSignal.timeout) and
 * every failure becomes an AppError whose message says what to check — the key itself never appears anywhere.
 */
export function createDominoApi(options: DominoApiOptions): DominoApiPort {
  const base = options.apiUrl.replace(/\/+$/, '');
  const host = new URL(base).host;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const doFetch = options.fetch ?? fetch;
  // Domino's stop endpoint wants the project too: remember it for the jobs we start.
  const projectOfJob = new Map<string, string>();

  async function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, {
        method,
        headers: {
          'X-Domino-Api-Key': options.apiKey,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new AppError(
          'domino_timeout',
          `Domino (${host}) did not answer ${method} ${path} within ${timeoutMs / 1000} s.`,
        );
      }
      throw new AppError('domino_unreachable', `Cannot reach Domino at ${host}: ${(error as Error).message}.`, {
        cause: error,
      });
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) throw httpError(response.status, method, path, host, text);
    if (text === '') return {};
    try {
      return JSON.parse(text);
    } catch {
      throw new AppError('domino_bad_response', `Domino answered ${method} ${path} with something that is not JSON.`);
    }
  }

  return {
    async startJob(input) {
      const view = (await call('POST', '/v4/jobs/start', {
        projectId: input.projectId,
        commandToRun: input.command,
        overrideHardwareTierId: input.hardwareTierId,
        ...(input.environmentId ? { environmentId: input.environmentId } : {}),
        title: input.title,
      })) as DominoJobView;
      const id = typeof view.id === 'string' ? view.id : typeof view.jobId === 'string' ? view.jobId : undefined;
      if (!id) throw new AppError('domino_bad_response', 'Domino started a job but did not say its id.');
      projectOfJob.set(id, input.projectId);
      return id;
    },
    async getJobStatus(jobId) {
      const view = (await call('GET', `/v4/jobs/${encodeURIComponent(jobId)}`)) as DominoJobView;
      const status = view.statuses?.executionStatus;
      if (typeof status !== 'string') {
        throw new AppError('domino_bad_response', `Domino's answer for job ${jobId} has no statuses.executionStatus.`);
      }
      return { executionStatus: status, isCompleted: view.statuses?.isCompleted === true } satisfies JobStatus;
    },
    async listHardwareTiers() {
      // Newer Domino's hardware tier API; `nodePool` is among its fields (a generated client model: unofficial).
      const view = await call('GET', '/api/hardwaretiers/v1/hardwaretiers');
      return listOf(view, 'hardwareTiers').flatMap((raw): HardwareTierInfo[] => {
        const tier = raw as { id?: unknown; name?: unknown; nodePool?: unknown };
        if (typeof tier.id !== 'string') return [];
        return [
          {
            id: tier.id,
            name: typeof tier.name === 'string' ? tier.name : tier.id,
            ...(typeof tier.nodePool === 'string' ? { nodePool: tier.nodePool } : {}),
          },
        ];
      });
    },
    async listActiveRuns(hardwareTierIds) {
      // One query per tier of the newer jobs API, filtered by tier and not completed. Not checked against a real
      // Domino (no public reference names a cross-project listing): the fake Domino serves what this asks.
      const runs: ActiveRun[] = [];
      for (const tierId of hardwareTierIds) {
        const query = new URLSearchParams({ hardwareTierId: tierId, isCompleted: 'false' });
        const view = await call('GET', `/api/jobs/v1/jobs?${query}`);
        for (const raw of listOf(view, 'jobs')) {
          const job = raw as DominoRunView;
          const status = job.statuses?.executionStatus ?? job.status;
          if (typeof job.id !== 'string' || job.statuses?.isCompleted === true) continue;
          runs.push({
            id: job.id,
            project: [job.projectOwnerName, job.projectName].filter((p) => typeof p === 'string').join('/'),
            user: typeof job.startedBy?.username === 'string' ? job.startedBy.username : '',
            hardwareTierId: tierId,
            status: typeof status === 'string' ? status : 'unknown',
          });
        }
      }
      return runs;
    },
    async stopJob(jobId) {
      const projectId = projectOfJob.get(jobId) ?? options.defaultProjectId;
      await call('POST', '/v4/jobs/stop', { projectId, jobId, commitResults: false });
    },
  };
}

function httpError(status: number, method: string, path: string, host: string, body: string): AppError {
  const where = `${method} ${path}`;
  if (status === 401 || status === 403) {
    return new AppError(
      'domino_auth',
      `Domino refused the API key (HTTP ${status} on ${where}). Check DOMINO_API_KEY.`,
    );
  }
  if (status === 404) return new AppError('domino_not_found', `Domino has no such resource (HTTP 404 on ${where}).`);
  if (status === 429)
    return new AppError('domino_rate_limited', `Domino is rate limiting ami-bot (HTTP 429 on ${where}).`);
  const detail = body.replace(/\s+/g, ' ').slice(0, 200);
  return new AppError(
    status >= 500 ? 'domino_server_error' : 'domino_request_failed',
    `Domino (${host}) answered HTTP ${status} to ${where}${detail ? `: ${detail}` : ''}.`,
  );
}
