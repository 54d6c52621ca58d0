/** ACTIVITY_ALLOWLIST: what `activity` nodes may call, `taskQueue:activityType` entries with `*` on either side. Pure and import-free: the configuration module reads it without loading the graph layer. */
export function parseActivityAllowlist(text: string | undefined): string[] {
  const entries = (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const e of entries) {
    if (!/^[^:\s]+:[^:\s]+$/.test(e)) throw new Error(`ACTIVITY_ALLOWLIST entry "${e}" must be taskQueue:activityType (either side may be *)`);
  }
  return entries;
}

export function activityAllowed(allowlist: readonly string[], taskQueue: string, activityType: string): boolean {
  return allowlist.some((entry) => {
    const [queue, type] = entry.split(':') as [string, string];
    return (queue === '*' || queue === taskQueue) && (type === '*' || type === activityType);
  });
}
