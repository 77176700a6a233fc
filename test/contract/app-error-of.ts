import { expect } from 'vitest';
import { AppError } from '../../src/errors.js';

/** The AppError a call was rejected with; fails the test when it resolves or throws anything else. */
export async function appErrorOf(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => expect.fail('expected the call to be rejected'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}
