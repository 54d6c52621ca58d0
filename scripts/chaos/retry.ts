/**
 * How the chaos runner's writes (starts, pauses, resumes, deliveries) retry
 * through outages: as a well-behaved client does, with exponential backoff
 * (250 ms doubling to 4 s, with jitter) and the API's `Retry-After` when it
 * gives one (at most 5 s). A fixed 250 ms retry from hundreds of waiting
 * requests is a storm of its own that keeps a recovering cluster down.
 */
export function retryDelay(attempt: number, res?: Response): number {
  const after = Number(res?.headers.get('retry-after'));
  if (Number.isFinite(after) && after > 0) return Math.min(after, 5) * 1000;
  const base = Math.min(250 * 2 ** attempt, 4_000);
  return base / 2 + Math.random() * (base / 2);
}
