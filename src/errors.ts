/**
 * Every error a user can see carries a stable code and a message they can act on.
 * Stack traces stay in the logs; Slack only ever shows `message`.
 */
export class AppError extends Error {
  readonly code: string;
  /** Extra structured facts for the logs (never secrets). */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
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
  return 'Something unexpected went wrong; the details are in the bot logs. Nothing further was changed.';
}

export function errorCode(error: unknown): string {
  return isAppError(error) ? error.code : 'internal_error';
}
