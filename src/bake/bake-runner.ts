import { findDeployment } from '../config.js';
import { errorCode, userMessage, userText } from '../errors.js';
import { icon, joinText, plainText, type Text, text, user, words } from '../shared/text.js';
import {
  type BakeDeps,
  type BakeProgress,
  CancelRequested,
  isStepSkipped,
  RunStopped,
  type StepContext,
  type StopReason,
} from './bake-context.js';
import { createBakeProgress } from './bake-progress.js';
import { applyCheckpoint, type BakeRecord, type BakeStepName, stepCheckpoint, stepProgress } from './bake-record.js';
import { BAKE_STEP_MODULES, BAKE_STEPS, stepTitle } from './bake-steps.js';
import { compensate } from './compensate.js';
import { releaseTemplateLock } from './template-lock.js';

export interface BakeRunnerOptions {
  /** Unique per process: the lease owner. */
  owner: string;
  /** How often to look for bakes nobody holds (crashed replicas), in ms of the clock. */
  scanIntervalMs?: number;
  /**
   * Sandbox only: when this process's simulated AWS and Domino began. A bake created before then ran in a
   * simulated world that died with the previous process, so it cannot resume (its template state, commands and
   * AMI are gone) and is closed saying so, instead of failing on "not found" errors that would blame AWS.
   */
  simWorldStartedAt?: Date;
}

export interface BakeRunner {
  /** Starts scanning for claimable bakes (resumes any left by a crash). */
  start(): void;
  /** Claims and runs this bake now, if nobody else holds it. */
  kick(bakeId: string): void;
  /** Asks a bake this process runs to stop and compensate. */
  cancel(bakeId: string, by: string): void;
  /** Graceful stop: in-flight steps stop, leases are released so another replica resumes at once. */
  stop(): Promise<void>;
  /** Test hook: dies like a killed process — no writes, leases left to expire. */
  abandon(): void;
  /** Resolves when this process runs no bake. */
  idle(): Promise<void>;
  isRunning(bakeId: string): boolean;
}

interface RunHandle {
  progress?: BakeProgress;
  stop: AbortController;
  cancel: AbortController;
  done: Promise<void>;
}

export const bakeLockKey = (deployment: string) => `bake:${deployment}`;

export function createBakeRunner(deps: BakeDeps, options: BakeRunnerOptions): BakeRunner {
  const { store, clock, logger, config } = deps;
  const leaseMs = config.bake.leaseSeconds * 1000;
  const scanMs = options.scanIntervalMs ?? leaseMs / 2;
  const runs = new Map<string, RunHandle>();
  const scanner = new AbortController();
  /** Bakes this process has run: a later claim of one of them is not a restart. */
  const ranHere = new Set<string>();
  let crashed = false;

  async function claimAndRun(bakeId: string): Promise<void> {
    if (runs.has(bakeId) || scanner.signal.aborted) return;
    const now = clock.now();
    const bake = await store.bakes.claim(bakeId, options.owner, now, new Date(now.getTime() + leaseMs));
    if (!bake || runs.has(bakeId)) return;
    const handle: RunHandle = { stop: new AbortController(), cancel: new AbortController(), done: Promise.resolve() };
    runs.set(bakeId, handle);
    handle.done = execute(bake, handle)
      .catch((error: unknown) => logger.error({ err: error, bakeId }, 'bake run crashed'))
      .finally(() => runs.delete(bakeId));
  }

  async function execute(bake: BakeRecord, handle: RunHandle): Promise<void> {
    const log = logger.child({
      bakeId: bake._id,
      deployment: bake.deployment,
      channel: bake.channel,
      thread: bake.rootTs,
    });
    const deployment = findDeployment(config, bake.deployment);
    if (!deployment) {
      log.error('bake names a deployment that is no longer configured; leaving it for an operator');
      return;
    }
    // Every write to the bake's document goes through one queue (checkpoints and lease renewals
    // alike): a slower write can never overwrite a newer one, and no two of ours race on the server.
    let writes = Promise.resolve();
    const serialise = <T>(write: () => Promise<T>): Promise<T> => {
      const next = writes.then(write);
      writes = next.then(
        () => undefined,
        () => undefined,
      );
      return next;
    };
    const progress = createBakeProgress({
      chat: deps.chat,
      presenter: deps.presenter,
      logger: log,
      clock,
      wallClock: deps.wallClock,
      bake: () => bake,
      sandbox: config.sandbox,
    });
    handle.progress = progress;
    const ctx: StepContext = {
      bake,
      deployment,
      deps,
      settings: config.bake,
      signal: AbortSignal.any([handle.stop.signal, handle.cancel.signal]),
      log,
      progress,
      save: (checkpoint) =>
        serialise(async () => {
          if (crashed) throw new RunStopped('crash');
          const stamped = { ...checkpoint, updatedAt: clock.now() };
          let ok: boolean;
          try {
            ok = await store.bakes.checkpoint(bake._id, options.owner, stamped);
          } catch (error) {
            // No checkpoint, no progress: stop here and resume from the last checkpoint once the
            // database answers again (the scan re-claims the bake when its lease runs out).
            log.warn({ err: error }, 'could not save a checkpoint; pausing the bake');
            handle.stop.abort(new RunStopped('store-unavailable'));
            throw new RunStopped('store-unavailable');
          }
          if (!ok) {
            handle.stop.abort(new RunStopped('lease-lost'));
            throw new RunStopped('lease-lost');
          }
          applyCheckpoint(bake, stamped);
        }),
    };
    if (bake.cancelRequested) handle.cancel.abort(new CancelRequested(bake.cancelRequested.by));
    const resumed = !ranHere.has(bake._id) && isUnderway(bake);
    ranHere.add(bake._id);
    if (resumed) await progress.thread(resumedLine(bake));
    const renewing = renewLease(bake, handle, serialise);
    try {
      const { simWorldStartedAt } = options;
      if (resumed && simWorldStartedAt && bake.createdAt.getTime() <= simWorldStartedAt.getTime()) {
        await closeAfterWorldReset(ctx);
      } else await runToEnd(ctx, handle);
    } catch (error) {
      if (!(error instanceof RunStopped)) throw error;
      log.info({ reason: error.reason }, 'bake run stopped; it will resume where it was');
    } finally {
      handle.stop.abort(new RunStopped('shutdown'));
      await renewing;
      if (crashed) ctx.progress.dispose();
      else {
        await ctx.progress.flush();
        await store.bakes.release(bake._id, options.owner).catch(() => undefined);
      }
    }
  }

  /** Renews the lease and notices cancel requests made through another replica. */
  async function renewLease(
    bake: BakeRecord,
    handle: RunHandle,
    serialise: <T>(write: () => Promise<T>) => Promise<T>,
  ): Promise<void> {
    const signal = handle.stop.signal;
    while (!signal.aborted) {
      try {
        await clock.sleep(leaseMs / 3, signal);
        if (crashed) return;
        const ok = await serialise(() =>
          store.bakes.renew(bake._id, options.owner, new Date(clock.now().getTime() + leaseMs)),
        );
        if (!ok) handle.stop.abort(new RunStopped('lease-lost'));
        const fresh = await store.bakes.get(bake._id);
        if (fresh?.cancelRequested && !handle.cancel.signal.aborted) {
          handle.cancel.abort(new CancelRequested(fresh.cancelRequested.by));
        }
      } catch (error) {
        if (signal.aborted) return;
        logger.warn({ err: error, bakeId: bake._id }, 'lease renewal failed; will retry');
      }
    }
  }

  async function scan(): Promise<void> {
    while (!scanner.signal.aborted) {
      try {
        for (const id of await store.bakes.listClaimable(clock.now())) await claimAndRun(id);
      } catch (error) {
        logger.warn({ err: error }, 'scan for claimable bakes failed; will retry');
      }
      await clock.sleep(scanMs, scanner.signal).catch(() => undefined);
    }
  }

  return {
    start: () => void scan(),
    kick: (bakeId) =>
      void claimAndRun(bakeId).catch((error: unknown) => logger.warn({ err: error, bakeId }, 'could not claim bake')),
    cancel: (bakeId, by) => runs.get(bakeId)?.cancel.abort(new CancelRequested(by)),
    async stop() {
      scanner.abort();
      for (const handle of runs.values()) handle.stop.abort(new RunStopped('shutdown'));
      await Promise.all([...runs.values()].map((handle) => handle.done));
    },
    abandon() {
      crashed = true;
      for (const handle of runs.values()) handle.progress?.dispose();
      scanner.abort();
      for (const handle of runs.values()) handle.stop.abort(new RunStopped('crash'));
    },
    async idle() {
      while (runs.size > 0) await Promise.all([...runs.values()].map((handle) => handle.done));
    },
    isRunning: (bakeId) => runs.has(bakeId),
  };
}

/** A bake some process already worked on (not one just started by a command). */
function isUnderway(bake: BakeRecord): boolean {
  return bake.status === 'compensating' || BAKE_STEPS.some((step) => stepProgress(bake, step).state !== 'pending');
}

function resumedLine(bake: BakeRecord): Text {
  const step = BAKE_STEPS.find((s) => !['done', 'skipped'].includes(stepProgress(bake, s).state));
  const where = bake.status === 'compensating' ? 'the clean-up' : step ? `*${stepTitle(step, bake)}*` : 'its last step';
  return text`${icon('resumed')} ami-bot restarted and resumed this bake at ${words(where)}: the process that was running it stopped; finished steps are not repeated.`;
}

export const SIM_WORLD_RESET_MESSAGE =
  "ami-bot restarted, and in sandbox mode the simulated AWS and Domino start afresh with each process: this bake's template state, SSM commands and AMI existed only in the previous run's simulator, so it cannot resume. This is not an AWS problem and nothing real was touched.";

/** Sandbox: the bake's world is gone, so there is nothing to resume or clean up — close it and say why. */
async function closeAfterWorldReset(ctx: StepContext): Promise<void> {
  const step = BAKE_STEPS.find((s) => stepProgress(ctx.bake, s).state === 'running');
  await ctx.save({
    status: 'compensating',
    outcome: 'failed',
    error: { code: 'sim_world_reset', message: SIM_WORLD_RESET_MESSAGE, ...(step ? { step } : {}) },
    ...(step ? stepCheckpoint(step, { state: 'failed', endedAt: ctx.deps.clock.now() }) : {}),
  });
  await finish(ctx, 'failed', ['Nothing to clean up: the simulated template and AMI went with the previous run.']);
}

function stopReason(signal: AbortSignal): StopReason | undefined {
  return signal.reason instanceof RunStopped ? signal.reason.reason : undefined;
}

/** Runs the remaining steps, then compensation if a step failed or a cancel came in. */
async function runToEnd(ctx: StepContext, handle: RunHandle): Promise<void> {
  const { clock } = ctx.deps;
  if (ctx.bake.status === 'running') {
    let current: BakeStepName | undefined;
    try {
      // A step the record does not know (saved by an older release) reads as pending and runs in its turn.
      for (const { name: step, run } of BAKE_STEP_MODULES) {
        const progress = stepProgress(ctx.bake, step);
        if (progress.state === 'done' || progress.state === 'skipped') continue;
        current = step;
        ctx.signal.throwIfAborted();
        await ctx.save(stepCheckpoint(step, { state: 'running', startedAt: progress.startedAt ?? clock.now() }));
        ctx.progress.refresh();
        const result = await run(ctx);
        // The title after the step: what it did may name itself (the runtime the inventory detected).
        const title = words(stepTitle(step, ctx.bake));
        if (isStepSkipped(result)) {
          observeStep(ctx, step, 'skipped');
          await ctx.save(stepCheckpoint(step, { state: 'skipped', endedAt: clock.now(), summary: result.skipped }));
          ctx.progress.refresh();
          await ctx.progress.thread(text`${icon('skipped')} *${title}* — skipped: ${result.skipped}`);
          continue;
        }
        observeStep(ctx, step, 'done');
        await ctx.save(stepCheckpoint(step, { state: 'done', endedAt: clock.now(), summary: result }));
        ctx.progress.refresh();
        await ctx.progress.thread(text`${icon('ok')} *${title}* — ${result}`);
      }
      await finish(ctx, 'succeeded', []);
      return;
    } catch (error) {
      const stopped = stopReason(handle.stop.signal);
      if (stopped || error instanceof RunStopped) throw error instanceof RunStopped ? error : new RunStopped(stopped!);
      const cancel = handle.cancel.signal.reason instanceof CancelRequested ? handle.cancel.signal.reason : undefined;
      const outcome = cancel ? 'cancelled' : 'failed';
      const message = cancel ? plainText(text`Cancelled by ${user(cancel.by)}.`) : userMessage(error);
      // A cancel is a request, not a fault: one info line, no stack.
      if (cancel) ctx.log.info({ step: current, outcome, by: cancel.by }, 'bake cancelled; compensating');
      else ctx.log.warn({ err: error, step: current, outcome }, 'bake step did not complete; compensating');
      if (current) observeStep(ctx, current, outcome);
      await ctx.save({
        status: 'compensating',
        outcome,
        error: { code: cancel ? 'cancelled' : errorCode(error), message, step: current },
        ...(current ? stepCheckpoint(current, { state: 'failed', endedAt: clock.now() }) : {}),
      });
      ctx.progress.refresh();
      const where = current ? words(` during *${stepTitle(current, ctx.bake)}*`) : words('');
      // The error's Text keeps outside text (AWS, docker, salt) apart from ours; the canceller is a user.
      await ctx.progress.thread(
        cancel
          ? text`${icon('cancelled')} Cancelled by ${user(cancel.by)}. Cleaning up…`
          : text`${icon('failed')} The bake failed${where}: ${userText(error)} Cleaning up…`,
      );
    }
  }
  // Compensation ignores further cancel requests: only a shutdown or a lost lease stops it.
  const lines = await compensate({ ...ctx, signal: handle.stop.signal });
  await finish(ctx, ctx.bake.outcome ?? 'failed', lines);
}

async function finish(ctx: StepContext, status: 'succeeded' | 'failed' | 'cancelled', lines: string[]): Promise<void> {
  const { store, clock } = ctx.deps;
  await ctx.save({ status, endedAt: clock.now() });
  ctx.deps.metrics?.bakes.inc({ deployment: ctx.bake.deployment, outcome: status });
  await store.locks.release(bakeLockKey(ctx.bake.deployment), ctx.bake._id);
  // After restore / compensation gave the template back: another deployment's bake may take it now.
  await releaseTemplateLock(store, ctx.bake.facts.instanceId, ctx.bake._id);
  ctx.progress.refresh();
  const head =
    status === 'succeeded'
      ? text`${icon('ok')} Bake ${ctx.bake._id} finished: ${ctx.bake.facts.imageId ?? ''} (${ctx.bake.facts.imageName ?? ''}).`
      : status === 'cancelled'
        ? text`${icon('cancelled')} Bake ${ctx.bake._id} cancelled.`
        : text`${icon('failed')} Bake ${ctx.bake._id} failed: ${ctx.bake.error?.message ?? 'unknown error'}`;
  const next =
    status === 'failed'
      ? words('\nFix the cause above, then run `/ami bake` again; nothing was left half-done.')
      : words('');
  await ctx.progress.thread(text`${joinText([head, ...lines.map((line) => text`• ${line}`)], words('\n'))}${next}`);
  ctx.log.info({ status, imageId: ctx.bake.facts.imageId }, 'bake finished');
}

function observeStep(ctx: StepContext, step: BakeStepName, outcome: string): void {
  const startedAt = stepProgress(ctx.bake, step).startedAt;
  if (!startedAt) return;
  const seconds = (ctx.deps.clock.now().getTime() - startedAt.getTime()) / 1000;
  ctx.deps.metrics?.bakeSteps.observe({ step, outcome }, seconds);
}
