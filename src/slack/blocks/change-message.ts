import type { ActionsBlock, Button, ConfirmationDialog, MrkdwnElement } from '@slack/types';
import type { Block } from '../../ports/chat.js';
import type { ChangeRecord } from '../../rollout/change-record.js';
import { plural, truncate } from '../../shared/format.js';
import { type TargetNoun, targetNoun } from '../../shared/target-noun.js';
import { ACTION_IDS } from '../action-ids.js';
import {
  CONTEXT_MAX,
  codeText,
  contextBlock,
  escapeCut,
  escapeMrkdwn,
  fitLines,
  formatWhen,
  isCut,
  mrkdwnSection,
  SECTION_MAX,
  slackDate,
  userMention,
} from './block-text.js';
import { instanceLines, KIND_TITLE, skippedLines, unchangedText, updateLines } from './change-lines.js';
import { driftConfirmText, driftSection } from './drift-section.js';
import { gateConfirmText, gateText } from './gate-text.js';

export interface ChangeMessageOptions {
  timeZone: string;
  sandbox?: boolean;
  /** False when the requester may approve their own change (config `twoPersonRule`). */
  twoPersonRule?: boolean;
  /** What the deployment's targets are called (default: hardware tiers). */
  noun?: TargetNoun;
}

function button(
  actionId: string,
  text: string,
  value: string,
  style: 'primary' | 'danger',
  confirm: ConfirmationDialog,
): Button {
  return { type: 'button', action_id: actionId, text: { type: 'plain_text', text }, style, value, confirm };
}

function confirmDialog(title: string, text: string, yes: string): ConfirmationDialog {
  return {
    title: { type: 'plain_text', text: truncate(title, 100) },
    text: { type: 'mrkdwn', text: truncate(text, 300) },
    confirm: { type: 'plain_text', text: yes },
    deny: { type: 'plain_text', text: 'Cancel' },
  };
}

/** The test result (or the override and its reason) first: the dialog holds 300 characters and may cut the rest. */
function approveConfirmText(change: ChangeRecord, when: string, noun: TargetNoun): string {
  const count = plural(change.updates.length, noun.short, noun.shortMany);
  const gate = change.kind === 'rollout' ? gateConfirmText(change.gate) : '';
  const drift = driftConfirmText(change);
  if (change.gate?.override) {
    // Short wording, so that the reason (up to ~230 chars) shows in full; a longer one is cut here only.
    const sets = `Sets ${count} ${when}.${drift ? ` ${drift}` : ''}`;
    return `${truncate(gate, 300 - sets.length - 1, '…”')} ${sets}`;
  }
  const sets = `Sets ${count} to the planned AMI ${when}, each only if it is still on its recorded AMI.`;
  return `${gate ? `${gate} ` : ''}${drift ? `${drift} ` : ''}${sets} Changed ${noun.shortMany} are reported, not overwritten.`;
}

function decisionButtons(change: ChangeRecord, opts: ChangeMessageOptions): ActionsBlock {
  // Plain time here: a confirm dialog is short (300 chars) and need not render Slack's date tokens.
  const when = change.applyAt ? `at ${formatWhen(change.applyAt, opts.timeZone)}` : 'right away';
  const approve =
    change.kind === 'drain'
      ? button(
          ACTION_IDS.drainTerminate,
          `Terminate ${plural(change.drain?.stopped.length ?? 0, 'stopped executor')}`,
          change._id,
          'danger',
          confirmDialog(
            'Terminate stopped executors?',
            `Terminates ${plural(change.drain?.stopped.length ?? 0, 'stopped executor')} on old AMIs (each re-checked first). Running executors are not touched.`,
            'Terminate',
          ),
        )
      : button(
          ACTION_IDS.approve,
          'Approve',
          change._id,
          'primary',
          confirmDialog(
            `Approve ${change._id}?`,
            approveConfirmText(change, when, opts.noun ?? targetNoun()),
            'Approve',
          ),
        );
  const reject = button(
    ACTION_IDS.reject,
    'Reject',
    change._id,
    'danger',
    confirmDialog(
      `Reject ${change._id}?`,
      change.kind === 'drain'
        ? 'Nothing will be terminated; /ami drain lists the executors again.'
        : 'Nothing will be changed; a new plan is needed to try again.',
      'Reject',
    ),
  );
  return { type: 'actions', block_id: `change:${change._id}`, elements: [approve, reject] };
}

/** The line under the plan that says where the change stands (pure). */
export function statusLine(change: ChangeRecord, now: Date, opts: ChangeMessageOptions): string {
  const tz = opts.timeZone;
  const noun = opts.noun ?? targetNoun();
  const d = change.decision;
  switch (change.status) {
    case 'pending':
      return now.getTime() >= change.deadline.getTime()
        ? `:hourglass: *Expired*: nobody decided before ${slackDate(change.deadline, tz)}. Nothing was changed.`
        : `:raised_hand: Waiting for an approver${opts.twoPersonRule === false ? '' : ` other than ${userMention(change.requester)}`} until ${slackDate(change.deadline, tz)}.`;
    case 'expired':
      return change.result?.reason
        ? `:hourglass: *Expired* after approval by ${userMention(d?.by)}: ${escapeMrkdwn(change.result.reason)}. Nothing was written; plan again for a new window.`
        : `:hourglass: *Expired*: nobody decided before ${slackDate(change.deadline, tz)}. Nothing was changed.`;
    case 'rejected':
      return `:x: *Rejected* by ${userMention(d?.by)} at ${d ? slackDate(d.at, tz) : '?'}. Nothing was changed.`;
    case 'approved':
      return `:white_check_mark: *Approved* by ${userMention(d?.by)} at ${d ? slackDate(d.at, tz) : '?'}${
        change.applyAt && change.applyAt.getTime() > now.getTime()
          ? `; applies at ${slackDate(change.applyAt, tz)}.`
          : '; applying now.'
      }`;
    case 'applying':
      return `:gear: *Applying* (approved by ${userMention(d?.by)})…`;
    case 'applied': {
      const r = change.result;
      const conflicts = r && r.conflicts.length > 0 ? `, :warning: ${plural(r.conflicts.length, 'conflict')}` : '';
      return `:white_check_mark: *Applied* at ${r ? slackDate(r.at, tz) : '?'} (approved by ${userMention(d?.by)}): ${change.kind === 'drain' ? plural(r?.applied.length ?? 0, 'instance') : plural(r?.applied.length ?? 0, noun.short, noun.shortMany)} changed${conflicts}.`;
    }
    case 'failed':
      return `:x: *Apply failed*: ${escapeCut(change.result?.error ?? 'unknown error', 500)}`;
  }
}

function planSections(change: ChangeRecord, noun: TargetNoun): { blocks: Block[]; cut: boolean } {
  const blocks: Block[] = [];
  let cut = false;
  const add = (title: string, lines: string[]) => {
    if (lines.length === 0) return;
    cut ||= isCut(lines, SECTION_MAX - title.length - 1);
    blocks.push(mrkdwnSection(`${title}\n${fitLines(lines, SECTION_MAX - title.length - 1)}`));
  };
  if (change.kind === 'drain' && change.drain) {
    add(`*Stopped executors to terminate (${change.drain.stopped.length})*`, instanceLines(change.drain.stopped));
    add(
      `*Running executors on old AMIs (${change.drain.running.length})*: put them in Maintenance Mode (Domino admin UI) and terminate them when their runs end`,
      instanceLines(change.drain.running),
    );
    return { blocks, cut };
  }
  const to = change.kind === 'rollout' ? ` → ${escapeMrkdwn(change.targetAmi ?? '')}` : '';
  add(`*Will change (${change.updates.length})*${to}`, updateLines(change));
  if (change.updates.length === 0) blocks.push(mrkdwnSection(`*Will change*: no ${noun.short} (nothing to do).`));
  add(`*Skipped (${change.skipped.length})*`, skippedLines(change));
  if (change.unchanged.length > 0) {
    const text = `*Already on the target (${change.unchanged.length})*: ${unchangedText(change)}`;
    cut ||= text.length > CONTEXT_MAX;
    blocks.push(contextBlock(truncate(text, CONTEXT_MAX)));
  }
  return { blocks, cut };
}

/** The approval message of a change: the plan, its state, and the buttons while a decision is possible (pure). */
export function changeMessage(
  change: ChangeRecord,
  now: Date,
  opts: ChangeMessageOptions,
): { text: string; blocks: Block[]; overflow: boolean } {
  const title = `${KIND_TITLE[change.kind]} ${change._id} · ${change.deployment}`;
  const fields: MrkdwnElement[] = [
    { type: 'mrkdwn', text: `*Requested by*\n${userMention(change.requester)}` },
    {
      type: 'mrkdwn',
      text: `*When*\n${change.applyAt ? `maintenance window ${slackDate(change.applyAt, opts.timeZone)}${change.applyUntil ? ` until ${slackDate(change.applyUntil, opts.timeZone)}` : ''}` : 'right after approval'}`,
    },
  ];
  if (change.targetAmi) {
    fields.unshift({
      type: 'mrkdwn',
      text: `*New AMI*\n${escapeMrkdwn(change.targetAmi)}${change.targetAmiName ? `\n${codeText(change.targetAmiName)}` : ''}`,
    });
  }
  if (change.revertOf) fields.unshift({ type: 'mrkdwn', text: `*Reverts*\n${change.revertOf}` });
  if (change.drainOf) fields.unshift({ type: 'mrkdwn', text: `*After*\n${change.drainOf}` });
  const noun = opts.noun ?? targetNoun();
  const { blocks: plan, cut } = planSections(change, noun);
  const gate = change.kind === 'rollout' ? gateText(change.gate) : undefined;
  plan.unshift(...driftSection(change));
  if (gate) plan.unshift(mrkdwnSection(truncate(gate, SECTION_MAX)));
  const notes: string[] = [];
  if (cut) notes.push(':scroll: The list is long: the full list follows in this thread.');
  if (change.kind !== 'drain') {
    notes.push(
      `:floppy_disk: Every ${noun.short}'s current AMI (${change.snapshot.length}) is recorded in ${change._id}; \`/ami revert ${change._id}\` restores them after an apply.`,
    );
  }
  if (opts.sandbox) notes.push(':test_tube: *Sandbox*: simulated AWS and Domino.');
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(title, 150) } },
    { type: 'section', fields },
    ...plan,
    contextBlock(...notes),
    mrkdwnSection(statusLine(change, now, opts)),
  ];
  if (change.status === 'pending' && now.getTime() < change.deadline.getTime())
    blocks.push(decisionButtons(change, opts));
  const text = `${title}: ${change.status === 'pending' && now >= change.deadline ? 'expired' : change.status}`;
  // `overflow`: the plan did not fit the message; the caller posts the full list in the thread.
  return { text, blocks, overflow: cut };
}
