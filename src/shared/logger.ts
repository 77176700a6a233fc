import { type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/**
 * Structured logs. Secrets are redacted by path as a second line of defence: the code never
 * logs tokens on purpose, but a logged config or request object must not leak one either.
 */
export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { app: 'ami-bot' },
      redact: {
        paths: [
          '*.botToken',
          '*.signingSecret',
          '*.appToken',
          '*.apiKey',
          '*.token',
          'config.slack',
          'config.domino.apiKey',
          'headers.authorization',
          'headers["x-domino-api-key"]',
        ],
        censor: '[redacted]',
      },
    },
    options.destination ?? process.stdout,
  );
}

/** A logger that drops everything (tests, the demo's quiet mode). */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
