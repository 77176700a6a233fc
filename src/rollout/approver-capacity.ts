import type { Config } from '../config.js';
import type { ChatPort } from '../ports/chat.js';
import { group, icon, joinText, type Text, type TextValue, text, user, words } from '../shared/text.js';

type ApprovalConfig = Pick<Config, 'approvers' | 'admins' | 'twoPersonRule'>;

/** The users listed as approvers: `approvers.users`, or the admins when no approver is configured at all. */
const listedApprovers = (config: ApprovalConfig) =>
  config.approvers.users.length > 0 || config.approvers.userGroup !== undefined
    ? config.approvers.users
    : config.admins;

const FIX =
  'set AMIBOT_APPROVERS (approvers.users) or approvers.userGroup, or add a second admin to AMIBOT_ADMINS (admins)';

/**
 * Start-up check: with the two-person rule, an admin's change needs an approver other than that admin. Without a
 * user group (its members are only known at a click) and with no such approver for any admin, nothing can ever be
 * approved — the README's one-admin sandbox recipe did exactly that.
 */
export function approvalDeadlock(config: ApprovalConfig): string | undefined {
  if (!config.twoPersonRule || config.approvers.userGroup !== undefined) return undefined;
  const approvers = listedApprovers(config);
  const isStuck = (admin: string) => approvers.every((id) => id === admin);
  if (config.admins.length === 0 || !config.admins.every(isStuck)) return undefined;
  const only = approvers.length === 0 ? 'there is no approver' : `the only approver is ${approvers[0]}`;
  return `No planned change can ever be approved: the two-person rule (twoPersonRule) needs an approver other than the requester and ${only}; ${FIX}.`;
}

/** For the plan reply: who can approve this requester's change, or that nobody can and what to change. */
export async function approverNote(
  config: ApprovalConfig,
  chat: Pick<ChatPort, 'userGroupMembers'>,
  requester: string,
): Promise<Text> {
  const { userGroup } = config.approvers;
  const members = userGroup ? await chat.userGroupMembers(userGroup).catch(() => undefined) : [];
  const isOther = (id: string) => !config.twoPersonRule || id !== requester;
  const listed = listedApprovers(config).filter(isOther);
  const others = new Set([...listed, ...(members ?? []).filter(isOther)]);
  if (others.size === 0 && members !== undefined) {
    const why = config.twoPersonRule
      ? 'the two-person rule needs an approver other than you and there is none'
      : 'there is no approver';
    return text`${icon('warning')} Nobody can approve it: ${words(why)}; ${words(FIX)}.`;
  }
  const shown: TextValue[] = listed.slice(0, 10).map(user);
  if (listed.length > shown.length) shown.push(`${listed.length - shown.length} more`);
  if (userGroup) shown.push(text`members of ${group(userGroup)}`);
  return text`Who can approve: ${joinText(shown, ', ')}${words(config.twoPersonRule ? ' (not you: two-person rule)' : '')}.`;
}
