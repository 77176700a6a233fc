import { AppError, isAppError } from '../errors.js';
import type { ChatPort } from '../ports/chat.js';
import type { BackgroundTasks } from '../shared/background-tasks.js';
import type { ButtonOrigin } from '../shared/button-origin.js';
import { notItsMessage } from '../shared/button-origin.js';
import { plural } from '../shared/format.js';
import type { Reply } from '../shared/reply.js';
import { applyPrune } from './apply-prune.js';
import { decidePrune } from './decide-prune.js';
import { type LifecycleDeps, lifecycleDeployment } from './lifecycle-deps.js';
import type { LifecyclePresenter } from './lifecycle-presenter.js';
import { isFromOwnPruneMessage, type PruneRecord, pruneStatus } from './prune-record.js';
import { pruneReportView, pruneView } from './prune-text.js';
import { startPrune } from './start-prune.js';

export type PruneFlowDeps = LifecycleDeps & {
  chat: Pick<ChatPort, 'post' | 'update' | 'userGroupMembers'>;
  presenter: LifecyclePresenter;
  tasks: BackgroundTasks;
};

/**
 * The prune as people drive it: `/ami prune` plans and posts the approval message; Approve / Reject decide it on
 * that message only; an approval applies it in the background and reports per item in the message's thread.
 */
export function createPruneFlow(deps: PruneFlowDeps) {
  async function refresh(record: PruneRecord): Promise<void> {
    if (!record.message) return;
    const content = deps.presenter.prune(pruneView(record));
    await deps.chat.update({ channel: record.message.channel, ts: record.message.ts, ...content });
  }

  async function apply(record: PruneRecord): Promise<void> {
    const report = await applyPrune(deps, record._id);
    if (!record.message) return;
    const content = deps.presenter.pruneReport(pruneReportView(report));
    await deps.chat.post({ channel: record.message.channel, threadTs: record.message.ts, ...content });
  }

  return {
    /**
     * `/ami prune [deployment]`. An approved prune not finished yet (a crash, or an AMI waiting out its protection
     * cooldown) is resumed instead of planning another: the apply is resumable and touches only its own plan.
     */
    async planPrune(input: { userId: string; channelId: string; deployment?: string }): Promise<Reply> {
      const deployment = lifecycleDeployment(deps.config, input.deployment);
      const recent = await deps.store.prunes.listRecent(10, deployment.name);
      const unfinished = recent.find((p) => pruneStatus(p) === 'applying' || pruneStatus(p) === 'approved');
      if (unfinished) {
        deps.tasks.run(`prune ${unfinished._id}`, () => apply(unfinished));
        return {
          text: `Prune ${unfinished._id} was approved and is not finished: resuming it (report in its thread).`,
        };
      }
      const record = await startPrune(deps, {
        requester: input.userId,
        ...(input.deployment ? { deployment: input.deployment } : {}),
      });
      const posted = await deps.chat.post({ channel: input.channelId, ...deps.presenter.prune(pruneView(record)) });
      await deps.store.prunes.noteMessage(record._id, { channel: posted.channel, ts: posted.ts });
      const { retire, orphanSnapshots } = record.plan;
      return {
        text: `Prune ${record._id} planned: ${plural(retire.length, 'AMI')} and ${plural(orphanSnapshots.length, 'orphaned snapshot')} to retire, posted for approval.`,
      };
    },

    /** Approve / Reject on the prune's own message. */
    async decidePruneClick(input: {
      userId: string;
      pruneId: string;
      decision: 'approve' | 'reject';
      origin: ButtonOrigin;
    }): Promise<Reply> {
      const record = await deps.store.prunes.get(input.pruneId);
      if (!record)
        throw new AppError('unknown_prune', `No prune ${input.pruneId.slice(0, 40)} is recorded; nothing was done.`);
      if (!isFromOwnPruneMessage(record, input.origin)) return { text: notItsMessage(`prune ${record._id}`) };
      let decided: PruneRecord;
      try {
        decided = await decidePrune(deps, input);
      } catch (error) {
        // A lost race or a late click: show the message as it stands now.
        if (isAppError(error) && error.code === 'prune_decided')
          await refresh((await deps.store.prunes.get(record._id)) ?? record);
        throw error;
      }
      await refresh(decided);
      if (decided.decision?.outcome === 'approved') deps.tasks.run(`prune ${decided._id}`, () => apply(decided));
      return { text: `Prune ${decided._id} ${decided.decision?.outcome ?? 'decided'}.` };
    },
  };
}

export type PruneFlow = ReturnType<typeof createPruneFlow>;
