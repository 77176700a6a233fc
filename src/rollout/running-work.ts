import type { ActiveRun } from '../ports/domino.js';
import { plural } from '../shared/format.js';
import { icon, joinText, type Text, text, when } from '../shared/text.js';
import { replyInThread } from './change-messages.js';
import { type ApplyResult, type ChangeRecord, nothingWritten, targetUpdateOf } from './change-record.js';
import type { RolloutDeps } from './rollout-deps.js';
import type { ApplyJournal, RolloutTargetPort, TargetWorkload } from './rollout-target.js';

/** How often (clock time) a wait for idle pools lists the runs again. */
export const IDLE_POLL_MS = 60_000;
/** Runs named in a thread message; the rest are counted. */
const RUNS_SHOWN = 20;

/** The runs, one per line, named by project and user (outside text). */
function runLines(runs: readonly ActiveRun[]): Text {
  const lines = runs
    .slice(0, RUNS_SHOWN)
    .map((run) => text`\n• ${run.project} (${run.user || 'unknown user'}, ${run.status})`);
  const more = runs.length > RUNS_SHOWN ? text`\n…and ${runs.length - RUNS_SHOWN} more` : text``;
  return text`${joinText(lines, '')}${more}`;
}

function poolsOf(work: TargetWorkload): Text {
  return joinText(work.pools, ', ');
}

/**
 * Until when a wait for idle pools may last: the maintenance window's end, else `rollout.windowMinutes` from when
 * the wait began (the apply then writes nothing and says so).
 */
function waitDeadline(deps: Pick<RolloutDeps, 'config'>, change: ChangeRecord, since: Date): Date {
  return change.applyUntil ?? new Date(since.getTime() + deps.config.rollout.windowMinutes * 60_000);
}

/**
 * Before the apply replaces the machines the runs sit on: per the kind's policy, say in the thread which running
 * runs will be evicted (once per change), or wait on the clock until no run is left (checkpointed on the change
 * before the first wait and heartbeated while it waits, so a takeover continues the same wait instead of starting
 * another), and write nothing if the window ends first. Returns the result of an apply that must not go on.
 */
export async function settleRunningWork(
  deps: RolloutDeps,
  change: ChangeRecord,
  targets: RolloutTargetPort,
  journal: ApplyJournal,
): Promise<ApplyResult | undefined> {
  const updates = change.updates.map(targetUpdateOf);
  let work = await targets.runningWork(updates);
  if (!work) return undefined;
  const say = (message: Text) => replyInThread(deps, change, deps.presenter.content(message));
  const noted = change.runningWork ?? {};
  const note = async (facts: NonNullable<ChangeRecord['runningWork']>) => {
    Object.assign(noted, facts);
    change.runningWork = { ...noted };
    await deps.store.changes.note(change._id, { runningWork: { ...noted } });
  };
  if (work.policy === 'evict') {
    if (noted.noticeAt) return undefined;
    const pools = poolsOf(work);
    if (work.error !== undefined) {
      await say(
        text`${icon('warning')} Could not list the runs on node pools ${pools} (${work.error}): any running work there will be evicted when its node is replaced.`,
      );
    } else if (work.runs.length > 0) {
      await say(
        text`${icon('warning')} ${plural(work.runs.length, 'running run')} on node pools ${pools} will be evicted when their node is replaced:${runLines(work.runs)}`,
      );
    }
    await note({ noticeAt: deps.clock.now(), runs: work.runs.length });
    return undefined;
  }

  const since = noted.waitingSince ?? deps.clock.now();
  const until = waitDeadline(deps, change, since);
  const tz = deps.config.timeZone;
  if (work.error === undefined && work.runs.length === 0 && !noted.waitingSince) return undefined;
  if (!noted.waitingSince) {
    // Checkpoint before the wait: a takeover after a crash goes on with this wait and its deadline, and says it once.
    await note({ waitingSince: since, runs: work.runs.length });
    await say(
      text`${icon('waiting')} Waiting for the node pools ${poolsOf(work)} to be idle before replacing their nodes (${plural(work.runs.length, 'running run')}), until ${when(until, tz)}:${runLines(work.runs)}`,
    );
  }
  for (;;) {
    const busy = work.error !== undefined || work.runs.length > 0;
    if (!busy) break;
    if (deps.clock.now().getTime() >= until.getTime()) {
      const still =
        work.error !== undefined
          ? `the runs could not be listed (${work.error})`
          : `${plural(work.runs.length, 'run')} still running`;
      const reason = `the node pools ${work.pools.join(', ')} were not idle by ${until.toISOString()} (${still})`;
      await say(text`${icon('expired')} Not applied: ${reason}. Nothing was written; plan again for another window.`);
      return nothingWritten('expired', deps.clock.now(), { reason });
    }
    await deps.clock.sleep(Math.min(IDLE_POLL_MS, until.getTime() - deps.clock.now().getTime()), deps.tasks.signal);
    await journal.heartbeat();
    const { error: _gone, ...last } = work;
    work = (await targets.runningWork(updates)) ?? { ...last, runs: [] };
  }
  if (!noted.idleAt) {
    await note({ idleAt: deps.clock.now() });
    await say(text`${icon('ok')} The node pools ${poolsOf(work)} are idle: replacing their nodes now.`);
  }
  return undefined;
}
