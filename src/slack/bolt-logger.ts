import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from '../shared/logger.js';

/**
 * Bolt's logger interface on top of our pino logger, so Bolt's lines are structured (and redacted) too. Levels
 * map one to one and never up: web-api logs request URLs, bodies, headers and results, and socket-mode every
 * WebSocket message, only at debug, so payloads stay out of the logs unless the bot runs at debug.
 */
export function toBoltLogger(logger: Logger): SlackLogger {
  const child = logger.child({ component: 'bolt' });
  const text = (parts: unknown[]) => parts.map((part) => (typeof part === 'string' ? part : String(part))).join(' ');
  return {
    debug: (...parts: unknown[]) => child.debug(text(parts)),
    info: (...parts: unknown[]) => child.info(text(parts)),
    warn: (...parts: unknown[]) => child.warn(text(parts)),
    error: (...parts: unknown[]) => child.error(text(parts)),
    setLevel: () => undefined,
    getLevel: () => LogLevel.INFO,
    setName: () => undefined,
  };
}
