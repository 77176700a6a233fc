import { AppError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { StateStore } from '../ports/state-store.js';
import { type ButtonOrigin, notItsMessage } from '../shared/button-origin.js';
import type { Reply } from '../shared/reply.js';
import { text, user } from '../shared/text.js';
import type { BakePresenter } from './bake-presenter.js';
import { isBakeActive, isFromOwnMessage } from './bake-record.js';
import { findBake } from './find-bake.js';

export interface CancelBakeDeps {
  store: StateStore;
  clock: Clock;
  presenter: BakePresenter;
  runner: { cancel(bakeId: string, by: string): void };
}

/** `/ami cancel` and the Cancel button: mark the bake; whichever replica runs it cleans up. */
export function createCancelBake(deps: CancelBakeDeps) {
  return async function cancelBake(input: { userId: string; bakeId: string; origin?: ButtonOrigin }): Promise<Reply> {
    const bake = await findBake(deps.store.bakes, input.bakeId);
    if (input.origin && !isFromOwnMessage(bake, input.origin)) {
      throw new AppError('not_its_message', notItsMessage(`bake ${bake._id}`));
    }
    const say = deps.presenter.content;
    if (!isBakeActive(bake)) return say(text`Bake ${bake._id} has already ended (${bake.status}); nothing to cancel.`);
    const after = await deps.store.bakes.requestCancel(bake._id, input.userId, deps.clock.now());
    if (after?.cancelRequested && after.cancelRequested.by !== input.userId) {
      return say(text`Bake ${bake._id} is already being cancelled (asked by ${user(after.cancelRequested.by)}).`);
    }
    if (after?.status === 'compensating') return say(text`Bake ${bake._id} is already cleaning up after a failure.`);
    deps.runner.cancel(bake._id, input.userId);
    return say(
      text`Cancelling bake ${bake._id}: its thread will say when the template is back and nothing is left behind.`,
    );
  };
}
