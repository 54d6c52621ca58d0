/** Minimal SVG charts for docs/performance.md: a line chart, a bar chart and a Gantt timeline. */
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c'];

function frame(width: number, height: number, title: string, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="#fff"/>
<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>
${body}
</svg>
`;
}

export function lineChart(title: string, xLabel: string, yLabel: string, series: { name: string; points: [number, number][] }[], logX = true): string {
  const W = 640,
    H = 360,
    L = 70,
    R = 160,
    T = 40,
    B = 50;
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const fx = (x: number) => (logX ? Math.log10(x) : x);
  const [x0, x1] = [Math.min(...xs.map(fx)), Math.max(...xs.map(fx))];
  const y1 = Math.max(...ys) * 1.1 || 1;
  const px = (x: number) => L + ((fx(x) - x0) / (x1 - x0 || 1)) * (W - L - R);
  const py = (y: number) => H - B - (y / y1) * (H - T - B);
  let body = `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="#333"/><line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="#333"/>`;
  for (const x of [...new Set(xs)]) body += `<text x="${px(x)}" y="${H - B + 16}" text-anchor="middle">${x}</text>`;
  for (let i = 0; i <= 4; i++) {
    const y = (y1 * i) / 4;
    body += `<text x="${L - 6}" y="${py(y) + 4}" text-anchor="end">${Math.round(y)}</text><line x1="${L}" y1="${py(y)}" x2="${W - R}" y2="${py(y)}" stroke="#eee"/>`;
  }
  body += `<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">${esc(xLabel)}</text>`;
  body += `<text x="16" y="${(T + H - B) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(T + H - B) / 2})">${esc(yLabel)}</text>`;
  series.forEach((s, i) => {
    const c = COLORS[i % COLORS.length];
    body += `<polyline fill="none" stroke="${c}" stroke-width="2" points="${s.points.map((p) => `${px(p[0])},${py(p[1])}`).join(' ')}"/>`;
    for (const p of s.points) body += `<circle cx="${px(p[0])}" cy="${py(p[1])}" r="3" fill="${c}"/>`;
    body += `<rect x="${W - R + 12}" y="${T + i * 20}" width="12" height="12" fill="${c}"/><text x="${W - R + 30}" y="${T + i * 20 + 10}">${esc(s.name)}</text>`;
  });
  return frame(W, H, title, body);
}

export function barChart(title: string, yLabel: string, bars: { label: string; value: number; target?: number }[]): string {
  const W = 640,
    H = 360,
    L = 60,
    T = 40,
    B = 80,
    R = 20;
  const max = Math.max(1, ...bars.map((b) => Math.max(b.value, b.target ?? 0))) * 1.1;
  const bw = (W - L - R) / bars.length;
  const py = (v: number) => H - B - (v / max) * (H - T - B);
  let body = `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="#333"/>`;
  body += `<text x="16" y="${(T + H - B) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(T + H - B) / 2})">${esc(yLabel)}</text>`;
  bars.forEach((b, i) => {
    const x = L + i * bw + bw * 0.15;
    body += `<rect x="${x}" y="${py(b.value)}" width="${bw * 0.7}" height="${H - B - py(b.value)}" fill="${COLORS[0]}"/>`;
    body += `<text x="${x + bw * 0.35}" y="${py(b.value) - 4}" text-anchor="middle">${b.value.toFixed(2)}</text>`;
    if (b.target !== undefined)
      body += `<line x1="${x - 4}" x2="${x + bw * 0.7 + 4}" y1="${py(b.target)}" y2="${py(b.target)}" stroke="${COLORS[1]}" stroke-dasharray="4 2" stroke-width="2"/>`;
    body += `<text x="${x + bw * 0.35}" y="${H - B + 14}" text-anchor="end" transform="rotate(-30 ${x + bw * 0.35} ${H - B + 14})">${esc(b.label)}</text>`;
  });
  body += `<text x="${W - R}" y="${T}" text-anchor="end" fill="${COLORS[1]}">- - target</text>`;
  return frame(W, H, title, body);
}

export function gantt(title: string, lanes: { group: string; rows: { label: string; start: number; end: number }[] }[]): string {
  const rows = lanes.flatMap((l) => l.rows.map((r) => ({ ...r, group: l.group })));
  const W = 720,
    L = 150,
    R = 20,
    T = 40,
    rowH = 18,
    B = 40;
  const H = T + rows.length * rowH + lanes.length * 10 + B;
  const max = Math.max(1, ...rows.map((r) => r.end));
  const px = (t: number) => L + (t / max) * (W - L - R);
  let body = '';
  let y = T;
  lanes.forEach((lane, li) => {
    body += `<text x="8" y="${y + 12}" font-weight="bold">${esc(lane.group)}</text>`;
    y += 14;
    for (const r of lane.rows) {
      body += `<text x="${L - 6}" y="${y + 12}" text-anchor="end">${esc(r.label)}</text>`;
      body += `<rect x="${px(r.start)}" y="${y + 2}" width="${Math.max(1, px(r.end) - px(r.start))}" height="${rowH - 4}" fill="${COLORS[li % COLORS.length]}"/>`;
      y += rowH;
    }
    y += 6;
  });
  for (let i = 0; i <= 5; i++) {
    const t = (max * i) / 5;
    body += `<line x1="${px(t)}" y1="${T}" x2="${px(t)}" y2="${y}" stroke="#eee"/><text x="${px(t)}" y="${y + 14}" text-anchor="middle">${Math.round(t)} ms</text>`;
  }
  return frame(W, Math.max(H, y + 30), title, body);
}
