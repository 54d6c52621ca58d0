/** Thrown by an activity that waited for its host's limit as long as its attempt allows, having sent nothing (see `Attempted.deferred`). */
export class DeferredStart extends Error {
  override readonly name = 'DeferredStart';
}
