import type { Config } from '../config.js';
import type { ChatPort } from '../ports/chat.js';
import { group, joinText, type Text, user } from '../shared/text.js';

export interface ApproverCheck {
  ok: boolean;
  /** Who may approve, for the refusal message. */
  who: Text;
}

/**
 * Approvers are `approvers.users` and the members of `approvers.userGroup` (asked from Slack at each click, so
 * a change of the group counts at once). With neither configured, the ami-bot admins approve.
 */
export async function checkApprover(
  config: Pick<Config, 'approvers' | 'admins'>,
  chat: Pick<ChatPort, 'userGroupMembers'>,
  userId: string,
): Promise<ApproverCheck> {
  const { users, userGroup } = config.approvers;
  const configured = users.length > 0 || userGroup !== undefined;
  const listed = configured ? users : config.admins;
  const who = joinText(
    [
      ...(listed.length > 0 ? [joinText(listed.map(user), ', ')] : []),
      ...(userGroup ? [joinText(['members of ', group(userGroup)], '')] : []),
    ],
    ' or ',
  );
  if (listed.includes(userId)) return { ok: true, who };
  if (userGroup && (await chat.userGroupMembers(userGroup)).includes(userId)) return { ok: true, who };
  return { ok: false, who };
}
