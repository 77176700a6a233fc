import type { Button } from '@slack/types';
import { type BakeRecord, isBakeActive, type StepProgress, stepProgress } from '../../bake/bake-record.js';
import { BAKE_STEPS, stepTitle } from '../../bake/bake-steps.js';
import type { Block } from '../../ports/chat.js';
import { formatDuration, truncate } from '../../shared/format.js';
import { ACTION_IDS } from '../action-ids.js';
import { cancelButtonBlock, codeText, escapeCut, escapeMrkdwn, userMention } from './block-text.js';

const STATE_ICON: Record<StepProgress['state'], string> = {
  pending: ':white_small_square:',
  running: ':hourglass_flowing_sand:',
  done: ':white_check_mark:',
  failed: ':x:',
  skipped: ':fast_forward:',
};

const STATUS_LABEL: Record<BakeRecord['status'], string> = {
  running: ':gear: running',
  compensating: ':broom: cleaning up',
  succeeded: ':white_check_mark: succeeded',
  failed: ':x: failed',
  cancelled: ':octagonal_sign: cancelled',
};

function stepLine(progress: StepProgress, title: string, now: Date): string {
  const end = progress.endedAt ?? (progress.state === 'running' ? now : undefined);
  const elapsed = progress.startedAt && end ? ` — ${formatDuration(end.getTime() - progress.startedAt.getTime())}` : '';
  // Step summaries quote outside text (instance names, salt's counts and state ids); a skipped step says why.
  const said =
    progress.state === 'skipped'
      ? `skipped: ${progress.summary ?? ''}`
      : progress.state === 'done'
        ? progress.summary
        : undefined;
  const summary = said ? `\n      _${escapeCut(said, 160)}_` : '';
  return `${STATE_ICON[progress.state]} ${escapeMrkdwn(title)}${elapsed}${summary}`;
}

/**
 * What went wrong, for Slack: a cancel names who cancelled (a mention we render from the stored id); any other
 * message quotes outside text (AWS, docker, salt) and is escaped.
 */
export function bakeErrorText(bake: BakeRecord): string {
  if (!bake.error) return '';
  if (bake.error.code === 'cancelled') return `Cancelled by ${userMention(bake.cancelRequested?.by)}.`;
  return escapeCut(bake.error.message, 1000);
}

/** The bake's root message: who, what, and every step with its state and time (pure). */
export function bakeRootMessage(
  bake: BakeRecord,
  now: Date,
  options: { sandbox: boolean },
): { text: string; blocks: Block[] } {
  const images = truncate(bake.images.map(codeText).join(', '), 1500);
  // Titles follow the bake: its runtime ("Pull images (containerd, ctr)") and its provisioning.
  const steps = BAKE_STEPS.map((step) => stepLine(stepProgress(bake, step), stepTitle(step, bake), now)).join('\n');
  const text = `AMI bake ${bake._id} for ${bake.deployment}: ${bake.status}`;
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(`AMI bake ${bake._id} · ${bake.deployment}`, 150) } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Status*\n${STATUS_LABEL[bake.status]}` },
        { type: 'mrkdwn', text: `*Requested by*\n${userMention(bake.requester)}` },
        {
          type: 'mrkdwn',
          text: `*AMI*\n${bake.facts.imageId ? `${escapeMrkdwn(bake.facts.imageId)}\n${codeText(bake.facts.imageName ?? '')}` : '—'}`,
        },
        { type: 'mrkdwn', text: `*Template*\n${escapeMrkdwn(bake.facts.instanceId ?? '—')}` },
      ],
    },
    { type: 'section', text: { type: 'mrkdwn', text: `*Images*\n${images}` } },
    { type: 'section', text: { type: 'mrkdwn', text: truncate(steps, 2900) } },
  ];
  const notes: string[] = [];
  if (options.sandbox) notes.push(':test_tube: *Sandbox*: simulated AWS and Domino, nothing real is touched.');
  if (bake.noReboot)
    notes.push(':warning: `--no-reboot`: the instance is not rebooted, file-system integrity is not guaranteed.');
  if (bake.note) notes.push(`:memo: ${escapeCut(bake.note, 1_500)}`);
  if (bake.error) notes.push(`:x: ${bakeErrorText(bake)}`);
  if (notes.length > 0)
    blocks.push({ type: 'context', elements: notes.map((note) => ({ type: 'mrkdwn', text: note })) });
  if (isBakeActive(bake) && bake.status === 'running' && !bake.cancelRequested) {
    blocks.push(
      cancelButtonBlock({
        blockId: `bake:${bake._id}`,
        actionId: ACTION_IDS.cancelBake,
        value: bake._id,
        label: 'Cancel bake',
        style: 'danger',
        title: 'Cancel this bake?',
        body: 'The template goes back to its state and an unfinished AMI is deregistered.',
        deny: 'Keep baking',
      }),
    );
  }
  return { text, blocks };
}

/** The thread reply when the AMI is available: its id and name, with the next steps as buttons (pure). */
export function amiReadyMessage(input: { bakeId: string; imageId: string; imageName: string; testTier?: string }): {
  text: string;
  blocks: Block[];
} {
  const text = `:tada: New AMI *${escapeMrkdwn(input.imageId)}* — ${codeText(input.imageName)} is available.`;
  const buttons: Button[] = [
    {
      type: 'button',
      action_id: ACTION_IDS.testAmi,
      text: { type: 'plain_text', text: truncate(input.testTier ? `Test on ${input.testTier}` : 'Test', 75) },
      value: input.bakeId,
    },
    {
      type: 'button',
      action_id: ACTION_IDS.planRollout,
      text: { type: 'plain_text', text: 'Plan rollout' },
      value: input.bakeId,
    },
  ];
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      { type: 'actions', block_id: `bake-next:${input.bakeId}`, elements: buttons },
    ],
  };
}
