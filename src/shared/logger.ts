import { type Logger, pino } from 'pino';
import { redactDeep, redactSecretText } from './redact.js';

export type { Logger } from 'pino';

/**
 * Structured logs. Secrets are redacted as a second line of defence: the code never logs tokens on purpose, but
 * a logged config, request options or error must not leak one either, however deep (`{deps:{config:{slack:
 * {botToken}}}}`). pino's redact paths cannot say "at any depth", so every log object and child binding is
 * walked (src/shared/redact.ts: by key name, cycle-safe, depth-bounded) before pino serialises it.
 */
export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const logger = pino(
    {
      level: options.level ?? 'info',
      base: { app: 'ami-bot' },
      formatters: { log: (object) => redactDeep(object) as Record<string, unknown> },
      // redactDeep already turned errors into plain {type, message, stack, …fields, cause} objects.
      serializers: { err: (err: unknown) => err },
      hooks: {
        // The message text too (Bolt's lines are strings): token-shaped values and `password=…`.
        logMethod(args, method) {
          const cleaned = args.map((arg) => (typeof arg === 'string' ? redactSecretText(arg) : arg));
          return method.apply(this, cleaned as Parameters<typeof method>);
        },
      },
    },
    options.destination ?? process.stdout,
  );
  // pino applies no formatter to a child's bindings (it resets `formatters.bindings` for children), so
  // `logger.child({ deps })` is redacted here; children inherit this method, `this` being the child.
  const child = logger.child;
  logger.child = function redactedChild(this: Logger, bindings, childOptions) {
    return child.call(this, redactDeep(bindings) as typeof bindings, childOptions);
  } as typeof logger.child;
  return logger;
}

/** A logger that drops everything (tests, the demo's quiet mode). */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
