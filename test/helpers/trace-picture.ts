/**
 * A trace as a waterfall, drawn from Jaeger's query API into a page that
 * Chromium screenshots (test/tracing/jaeger.test.ts): the picture in
 * docs/operations.md. Jaeger built from its Go module serves no UI assets, so
 * the test draws the spans Jaeger answers with itself: one row per span,
 * indented under its parent, a bar from its start for its duration.
 */
import type { Browser } from 'playwright-core';

export interface PictureSpan {
  spanID: string;
  operationName: string;
  startTime: number; // µs since the epoch
  duration: number; // µs
  processID: string;
  references: { refType: string; spanID: string }[];
}

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** Spans in tree order (a parent before its children, siblings by start), each with its depth. */
function ordered(spans: PictureSpan[]): { span: PictureSpan; depth: number }[] {
  const ids = new Set(spans.map((s) => s.spanID));
  const parent = (s: PictureSpan) => s.references.find((r) => r.refType === 'CHILD_OF' && ids.has(r.spanID))?.spanID;
  const children = new Map<string | undefined, PictureSpan[]>();
  for (const s of spans) children.set(parent(s), [...(children.get(parent(s)) ?? []), s]);
  const out: { span: PictureSpan; depth: number }[] = [];
  const visit = (id: string | undefined, depth: number) => {
    for (const s of (children.get(id) ?? []).sort((a, b) => a.startTime - b.startTime)) {
      out.push({ span: s, depth });
      visit(s.spanID, depth + 1);
    }
  };
  visit(undefined, 0);
  return out;
}

export function traceHtml(traceId: string, spans: PictureSpan[], services: Record<string, string>): string {
  const rows = ordered(spans);
  const t0 = Math.min(...spans.map((s) => s.startTime));
  const total = Math.max(...spans.map((s) => s.startTime + s.duration)) - t0 || 1;
  const colour: Record<string, string> = {};
  const palette = ['#4f7cff', '#16a37f', '#d97706', '#b8449b'];
  const body = rows
    .map(({ span, depth }) => {
      const service = services[span.processID] ?? span.processID;
      colour[service] ??= palette[Object.keys(colour).length % palette.length]!;
      const left = ((span.startTime - t0) / total) * 100;
      const width = Math.max(0.4, (span.duration / total) * 100);
      return `<div class="row"><div class="name" style="padding-left:${8 + depth * 16}px"><span class="svc" style="background:${colour[service]}">${escape(service)}</span>${escape(span.operationName)}</div><div class="lane"><div class="bar" style="left:${left}%;width:${width}%;background:${colour[service]}"></div></div><div class="ms">${(span.duration / 1000).toFixed(1)} ms</div></div>`;
    })
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><style>
body{font:13px system-ui,sans-serif;margin:16px;color:#1c2333}
h1{font-size:15px;margin:0 0 4px} p{margin:0 0 12px;color:#5b6478}
.row{display:flex;border-bottom:1px solid #eceff4;height:26px;align-items:center}
.name{width:340px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.svc{color:#fff;border-radius:3px;padding:1px 5px;margin-right:6px;font-size:11px}
.lane{position:relative;flex:1;height:100%}
.bar{position:absolute;top:7px;height:12px;border-radius:2px}
.ms{width:80px;text-align:right;font-size:11px;color:#5b6478}
</style></head><body><h1>Trace ${escape(traceId)}</h1><p>${spans.length} spans, ${(total / 1000).toFixed(1)} ms, as Jaeger's query API returned them</p>${body}</body></html>`;
}

/** Saves the waterfall of `spans` as a PNG at `path`. */
export async function screenshotTrace(browser: Browser, path: string, traceId: string, spans: PictureSpan[], services: Record<string, string>): Promise<void> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 200 } });
  try {
    await page.setContent(traceHtml(traceId, spans, services));
    await page.screenshot({ path, fullPage: true });
  } finally {
    await page.close();
  }
}
