import type { ChangeGate } from '../../rollout/rollout-gate.js';
import { escapeMrkdwn, userMention } from './block-text.js';

/** One line for the plan message and the history: the test that let the change through, or the override. */
export function gateText(gate: ChangeGate | undefined): string | undefined {
  if (gate?.override) {
    return `:warning: *Not tested*: the test requirement was overridden by ${userMention(gate.override.by)}: “${escapeMrkdwn(gate.override.reason)}”`;
  }
  if (gate?.test) {
    const t = gate.test;
    return `:white_check_mark: *Tested*: ${t.id} passed — Pulling ${t.pullingSeconds ?? '<1 poll'} s, start to Running ${t.toRunningSeconds ?? '?'} s, on ${t.executorId} (booted from this AMI for the test).`;
  }
  return undefined;
}

/** The same, short, for the Approve button's confirm dialog (which holds 300 characters in all). */
export function gateConfirmText(gate: ChangeGate | undefined): string {
  if (gate?.override)
    return `NOT TESTED (override by ${userMention(gate.override.by)}): “${escapeMrkdwn(gate.override.reason)}”`;
  if (gate?.test) return `Tested: ${gate.test.id} passed, Pulling ${gate.test.pullingSeconds ?? '<1 poll'} s.`;
  return '';
}
