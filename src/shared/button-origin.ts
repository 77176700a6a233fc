/**
 * Where a button click came from, as Slack's payload says: the workspace (and Enterprise Grid org), the channel
 * and the message the button sits on (`threadTs` when that message is a reply in a thread). The listener layer
 * checks the workspace and channel; each use case checks, with its record's `isFromOwnMessage`, that the message
 * is the one the bot posted for that object.
 */
export interface ButtonOrigin {
  teamId?: string;
  enterpriseId?: string;
  channelId?: string;
  messageTs?: string;
  threadTs?: string;
}

/** True when the click came from channel `channel`, on one of `messages` (a ts) or in the thread of `thread`. */
export function isClickOn(
  origin: ButtonOrigin,
  where: { channel: string; messages: ReadonlyArray<string | undefined>; thread?: string },
): boolean {
  if (origin.channelId !== where.channel || origin.messageTs === undefined) return false;
  if (where.messages.includes(origin.messageTs)) return true;
  return where.thread !== undefined && origin.threadTs === where.thread;
}

/** The refusal for a click on some other message: nothing ran. */
export function notItsMessage(what: string): string {
  return `That button is not on ${what}'s own message (a copied or forged click?); nothing was done. Use the buttons on the message ami-bot posted for it.`;
}
