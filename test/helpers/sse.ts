export interface SseEvent {
  event: string;
  data: unknown;
  /** When the chunk holding it arrived (ms since the epoch). */
  receivedAt: number;
}

/** Reads a Server-Sent Events body into `{ event, data, receivedAt }` records. */
export async function readSse(res: Response, until: (e: SseEvent) => boolean = () => false) {
  const events: SseEvent[] = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    const receivedAt = Date.now();
    buffer += decoder.decode(value, { stream: true });
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
      const data = /^data: (.*)$/m.exec(block)?.[1];
      const record = { event, data: data === undefined ? undefined : JSON.parse(data), receivedAt };
      events.push(record);
      if (until(record)) {
        await reader.cancel();
        return events;
      }
    }
  }
  return events;
}

export async function eventually<T>(fn: () => Promise<T | undefined>, timeoutMs = 20_000, stepMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await fn();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, stepMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
}
