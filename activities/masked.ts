/**
 * Masks secret values in what an activity returns and in its failures
 * (message and details), so an upstream that echoes a key, or an error that
 * quotes a URL holding one, never puts it in history, the API or the logs.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { DeferredStart } from './deferred-start';
import type { SecretMasker } from './secrets';

/** `err` with the masker's values masked (a failure keeps its type, retry and details). */
export function maskedFailure(masker: SecretMasker, err: unknown): unknown {
  if (!masker.active) return err;
  if (err instanceof ApplicationFailure) {
    return ApplicationFailure.create({
      message: masker.maskText(err.message),
      type: err.type ?? undefined,
      nonRetryable: err.nonRetryable ?? undefined,
      details: err.details ? masker.mask([...err.details]) : undefined,
      nextRetryDelay: err.nextRetryDelay,
    });
  }
  if (err instanceof Error && !(err instanceof DeferredStart) && err.name !== 'CancelledFailure' && masker.maskText(err.message) !== err.message) {
    return new Error(masker.maskText(err.message));
  }
  return err;
}

export function masked<I, O>(masker: SecretMasker, fn: (input: I, waited: (ms: number) => void) => Promise<O>) {
  if (!masker.active) return fn;
  return async (input: I, waited: (ms: number) => void): Promise<O> => {
    try {
      return masker.mask(await fn(input, waited));
    } catch (err) {
      throw maskedFailure(masker, err);
    }
  };
}
