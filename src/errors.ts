import { asText, plainText, type Text } from './shared/text.js';

/**
 * Every error a user can see carries a stable code and a message they can act on.
 * Stack traces stay in the logs; Slack only ever shows `message`.
 */
export class AppError extends Error {
  readonly code: string;
  /** The message as meaning (code, users, outside values), rendered by the chat; `message` is its plain form. */
  readonly text: Text;
  /** Extra structured facts for the logs (never secrets). */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string | Text, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(plainText(message), options?.cause === undefined ? undefined : { cause: options.cause });
    // A string message may quote outside text (AWS, docker, Domino): shown escaped, never as markup.
    this.text = asText(message);
    this.name = 'AppError';
    this.code = code;
    this.details = options?.details;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** The message a Slack user sees for any error: ours verbatim, anything else generic. */
export function userMessage(error: unknown): string {
  if (isAppError(error)) return error.message;
  return plainText(UNEXPECTED);
}

// A literal, not words(): text.ts reaches this module through zoned-parts, so nothing of it runs at load.
const UNEXPECTED: Text = {
  spans: [
    {
      kind: 'words',
      value: 'Something unexpected went wrong; the details are in the bot logs. Nothing further was changed.',
    },
  ],
};

/** `userMessage` as Text, for the chat to render. */
export function userText(error: unknown): Text {
  return isAppError(error) ? error.text : UNEXPECTED;
}

export function errorCode(error: unknown): string {
  return isAppError(error) ? error.code : 'internal_error';
}
