import type { Logger } from './logger.js';

/**
 * Last line of defence for errors nothing awaited.
 *
 * - A rejected promise nobody handled (Bolt runs each HTTP request and each Socket Mode message in a detached
 *   async closure, so a defect there surfaces here) is logged and the process keeps serving: the rejection
 *   unwound only that request's own async work, and every step it may have left half-done is safe to repeat
 *   (leases expire, inserts are insert-once). Node's default would end the process, i.e. every request in flight.
 * - A synchronous exception nobody caught means a stack was unwound through code that did not expect it; state
 *   may be inconsistent, so that one is logged and the process exits (1) through `onFatal`, to be restarted.
 */
export function installProcessGuards(logger: Logger, onFatal: (error: unknown) => void): void {
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason }, 'unhandled promise rejection (request-scoped; the bot keeps running)');
  });
  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception: stopping');
    onFatal(error);
  });
}
