/**
 * The activity types Braid's own worker registers (activities/index.ts
 * createActivities; a test keeps the two lists equal). They run with the
 * worker's privileges: the HTTP client with its secrets, the node cache,
 * bulk operations. An `activity` node never calls one, on any task queue.
 */
export const INTERNAL_ACTIVITY_TYPES: ReadonlySet<string> = new Set([
  'http',
  'secretNonce',
  'nodeCacheGet',
  'nodeCachePut',
  'bulkApply',
  'admitRun',
  'admissionEnded',
  'startBufferedRun',
  'code',
]);
