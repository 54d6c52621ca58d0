/**
 * The pages in a real browser (Debian's Chromium through playwright-core)
 * against the real API (with API_TOKEN), a real dev server with its Web UI,
 * and a worker: watch a run live, cancel and approve from the page, list runs
 * and workflows, a 1,000-node run, and the same run in Temporal's Web UI.
 * Screenshots go to test-artifacts/.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/temporal/free-port';
import { artifact } from '../helpers/browser';
import { graph } from '../helpers/graphs';
import type { HttpTarget } from '../helpers/http-target';
import type { PageStack } from '../helpers/page-stack';
import { startPageStack } from '../helpers/page-stack';
import { uniqueId } from '../helpers/temporal';

const TOKEN = 'page-token-7f3a';
let stack: PageStack;
let target: HttpTarget;
let browser: Browser;
let url: string;
let uiUrl: string;

beforeAll(async () => {
  const uiPort = await freePort();
  uiUrl = `http://127.0.0.1:${uiPort}`;
  stack = await startPageStack({ uiPort, apiToken: TOKEN });
  ({ target, browser, url } = stack);
});

afterAll(() => stack?.close());

async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const res = await fetch(`${url}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${TOKEN}`, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
  });
  const body = (await res.json()) as T;
  if (!res.ok) throw new Error(`${res.status} ${JSON.stringify(body)}`);
  return body;
}

const startRun = async (workflow: unknown, input?: unknown) =>
  (await api<{ runId: string }>('/v1/runs', { method: 'POST', body: { workflow, ...(input === undefined ? {} : { input }) } })).runId;

/** A browser context signed in through the page's own form. */
async function signedIn(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${url}/runs`);
  await page.fill('input[name=token]', TOKEN);
  await Promise.all([page.waitForURL(`${url}/runs`), page.click('form.login button[type=submit]')]);
  return { context, page };
}

const nodeClass = (page: Page, id: string) => page.locator(`g.node[data-node-id="${id}"]`).getAttribute('class');
const barWidth = async (page: Page, id: string) => Number(await page.locator(`g.row[data-node-id="${id}"] rect.bar-run`).getAttribute('width'));

describe('run page', () => {
  let watchedRunId: string;

  it('asks for the token once, keeps it in an HttpOnly cookie, never in the page or the URL', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const first = await page.goto(`${url}/runs?workflow=x`);
    expect(first?.status()).toBe(401);
    await page.fill('input[name=token]', 'wrong');
    await page.click('form.login button[type=submit]');
    await expect.poll(() => page.locator('.problem').textContent()).toContain('not the API token');
    await page.fill('input[name=token]', TOKEN);
    await Promise.all([page.waitForURL(`${url}/runs?workflow=x`), page.click('form.login button[type=submit]')]);
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: 'braid_session', httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(cookie!.value).not.toContain(TOKEN);
    expect(await page.evaluate('document.cookie')).toBe('');
    expect(page.url()).not.toContain(TOKEN);
    expect(await page.content()).not.toContain(TOKEN);
    await context.close();
  });

  it('draws the graph, recolours nodes and grows the timeline live, then shows the critical path and metrics', async () => {
    const def = graph('page-live')
      .trigger()
      .http('user', `${target.url}/delay/300`, { label: 'Fetch the user' })
      .http('orders', `${target.url}/delay/3000`, { label: 'Fetch the orders' })
      .http('stock', `${target.url}/delay/800`, { label: 'Check stock' })
      .node('reply', 'set', { value: { done: true } }, { label: 'Build the reply' })
      .edge('start', 'user')
      .edge('start', 'orders')
      .edge('start', 'stock')
      .edge('user', 'reply')
      .edge('orders', 'reply')
      .edge('stock', 'reply')
      .build();
    // A saved workflow, so the run also carries a version (memo and search attributes, checked in the Web UI below).
    await api('/v1/workflows/page-live', { method: 'PUT', body: def });
    watchedRunId = (await api<{ runId: string }>('/v1/workflows/page-live/runs', { method: 'POST', body: {} })).runId;
    const { context, page } = await signedIn();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${url}/runs/${encodeURIComponent(watchedRunId)}`);
    await page.waitForSelector('body[data-graph=ready]');
    expect(await page.locator('g.node').count()).toBe(5);
    expect(await page.locator('g.node[data-node-id=orders] .node-label').textContent()).toBe('Fetch the orders');

    await expect.poll(() => nodeClass(page, 'orders')).toContain('status-running');
    await expect.poll(() => nodeClass(page, 'user')).toContain('status-succeeded');
    await expect.poll(() => page.locator('g.row[data-node-id=orders]').count()).toBe(1);
    await page.screenshot({ path: artifact('run-page-running.png') });
    // The running bar grows. The axis reaches ahead to a round horizon and
    // widens when the run passes it, so compare two readings on the same axis.
    const reading = async () => ({ width: await barWidth(page, 'orders'), axis: await page.locator('.timeline .axis text').last().textContent() });
    let grew = false;
    for (let i = 0; i < 8 && !grew; i++) {
      const before = await reading();
      await page.waitForTimeout(600);
      const after = await reading();
      grew = after.axis === before.axis && after.width > before.width;
    }
    expect(grew).toBe(true);

    await page.waitForSelector('body[data-run-status=succeeded]');
    for (const id of ['orders', 'stock', 'reply']) expect(await nodeClass(page, id)).toContain('status-succeeded');
    // The slowest branch is the critical path, in the graph and the timeline.
    expect(await nodeClass(page, 'orders')).toContain('critical');
    expect(await nodeClass(page, 'user')).not.toContain('critical');
    expect(await page.locator('g.row[data-node-id=orders] rect.bar-run').getAttribute('class')).toContain('critical');
    expect(await page.locator('#nodes-done').textContent()).toBe('5 / 5');
    expect(await page.locator('#efficiency').textContent()).toMatch(/^\d+ %$/);
    expect(await page.locator('#cancel-run').isHidden()).toBe(true);
    expect(await page.locator('#temporal-ui-link').getAttribute('href')).toContain(`${uiUrl}/namespaces/default/workflows/${watchedRunId}`);

    // Details on click: attempts, times, output.
    await page.click('g.node[data-node-id=orders]');
    const details = page.locator('aside.details');
    await expect.poll(() => details.textContent()).toContain('Attempts');
    expect(await details.textContent()).toContain('Fetch the orders');
    expect(await details.locator('pre').first().textContent()).toContain('"status": 200');
    await page.screenshot({ path: artifact('run-page.png'), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });

  it("reads as its graph in Temporal's Web UI: node ids as activity ids, labels as summaries, name and version in memo and search attributes", async () => {
    const run = await api<{ links: { temporalUi: string }; workflow: { version: string } }>(`/v1/runs/${encodeURIComponent(watchedRunId)}`);
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    await page.goto(run.links.temporalUi);
    const scheduled = page.getByText(/Activity Task Scheduled/);
    await expect.poll(() => scheduled.count(), { timeout: 20_000 }).toBe(3);
    await page.screenshot({ path: artifact('temporal-web-ui.png') });
    for (const [id, label] of [
      ['user', 'Fetch the user'],
      ['orders', 'Fetch the orders'],
      ['stock', 'Check stock'],
    ] as const) {
      const row = page
        .locator('tr, [role=row], li, div')
        .filter({ hasText: /Activity Task Scheduled/ })
        .filter({ hasText: label })
        .last();
      await row.click();
      await expect.poll(() => page.evaluate('document.body.innerText')).toMatch(new RegExp(`Summary\\s+${label}[\\s\\S]*Activity ID\\s+${id}\\b`));
      await row.click(); // fold it again
    }
    await page.getByText('Memo', { exact: true }).first().click();
    await expect.poll(() => page.evaluate('document.body.innerText')).toMatch(new RegExp(`"name": "page-live"[\\s\\S]*"version": "${run.workflow.version}"`));
    await page.getByText('Search Attributes', { exact: true }).first().click();
    await expect.poll(() => page.evaluate('document.body.innerText')).toMatch(/"BraidWorkflow": "page-live"/);
    expect(await page.evaluate('document.body.innerText')).toContain(`"BraidVersion": "${run.workflow.version}"`);
    await context.close();
  });

  it('cancels a run from the page', async () => {
    const runId = await startRun(
      graph('page-cancel').trigger().http('long', `${target.url}/delay/30000`, { label: 'Long call' }).edge('start', 'long').build(),
    );
    const { context, page } = await signedIn();
    await page.goto(`${url}/runs/${encodeURIComponent(runId)}`);
    await page.waitForSelector('body[data-graph=ready]');
    await expect.poll(() => nodeClass(page, 'long')).toContain('status-running');
    await page.click('#cancel-run');
    expect(await page.locator('#cancel-run').textContent()).toBe('Confirm cancel');
    await page.click('#cancel-run');
    await page.waitForSelector('body[data-run-status=canceled]');
    expect(await nodeClass(page, 'long')).toContain('status-canceled');
    expect((await api<{ status: string }>(`/v1/runs/${encodeURIComponent(runId)}`)).status).toBe('canceled');
    await context.close();
  });

  it('pauses and resumes a run from the page', async () => {
    const tag = uniqueId('page-pause');
    const runId = await startRun(
      graph('page-pause')
        .trigger()
        .http('first', `${target.url}/delay/4000?t=${tag}-1`)
        .http('second', `${target.url}/delay/300?t=${tag}-2`)
        .chain('start', 'first', 'second')
        .build(),
    );
    const { context, page } = await signedIn();
    await page.goto(`${url}/runs/${encodeURIComponent(runId)}`);
    await page.waitForSelector('body[data-graph=ready]');
    await expect.poll(() => nodeClass(page, 'first')).toContain('status-running');
    expect(await page.locator('#resume-run').isHidden()).toBe(true);
    await page.click('#pause-run');
    await page.waitForSelector('body[data-run-status=paused]');
    expect(await page.locator('#pause-run').isHidden()).toBe(true);
    // What ran finishes and shows; what is next waits.
    await expect.poll(() => nodeClass(page, 'first'), { timeout: 10_000 }).toContain('status-succeeded');
    expect(await nodeClass(page, 'second')).toContain('status-pending');
    expect(target.requests.filter((r) => r.path.includes(`${tag}-2`))).toHaveLength(0);
    await page.click('#resume-run');
    await page.waitForSelector('body[data-run-status=succeeded]', { timeout: 15_000 });
    expect(await nodeClass(page, 'second')).toContain('status-succeeded');
    await context.close();
  });

  it('shows a queued run with its place, pauses it, and lets it run once resumed', async () => {
    const tag = uniqueId('page-queue');
    const def = graph('page-queue')
      .trigger()
      // Long enough that the second run still waits when the page shows it, on a slow machine too.
      .http('call', `${target.url}/delay/5000?t=${tag}`)
      .chain('start', 'call')
      .with({ concurrency: { key: 'one', limit: 1 } })
      .build();
    const holder = await startRun(def);
    const queued = await startRun(def);
    const { context, page } = await signedIn();
    await page.goto(`${url}/runs/${encodeURIComponent(queued)}`);
    await page.waitForSelector('body[data-run-status=queued]');
    expect(await page.locator('#run-status').textContent()).toBe('queued · #1 for one');
    expect(await page.locator('#pause-run').isVisible()).toBe(true);
    await page.click('#pause-run');
    await page.waitForSelector('body[data-run-status=paused]');
    // The holder ends: the paused run is let in but starts nothing until resumed.
    await expect.poll(async () => (await api<{ status: string }>(`/v1/runs/${encodeURIComponent(holder)}`)).status, { timeout: 20_000 }).toBe('succeeded');
    await expect.poll(async () => (await api<{ queue?: unknown }>(`/v1/runs/${encodeURIComponent(queued)}`)).queue, { timeout: 15_000 }).toBeUndefined();
    expect(target.requests.filter((r) => r.path.endsWith(`t=${tag}`))).toHaveLength(1);
    await page.click('#resume-run');
    await page.waitForSelector('body[data-run-status=succeeded]', { timeout: 15_000 });
    expect(target.requests.filter((r) => r.path.endsWith(`t=${tag}`))).toHaveLength(2);
    await context.close();
  });

  it('redrives a failed run from the page: the new run reuses what succeeded and says so', async () => {
    const tag = uniqueId('page-redrive');
    const def = graph('page-redrive')
      .trigger()
      .http('fetch', `${target.url}/echo?t=${tag}`, { label: 'Fetch' })
      .http('flaky', `${target.url}/flaky/${tag}/1`, { retry: { maximumAttempts: 1 } })
      .chain('start', 'fetch', 'flaky')
      .build();
    const runId = await startRun(def);
    const { context, page } = await signedIn();
    await page.goto(`${url}/runs/${encodeURIComponent(runId)}`);
    await page.waitForSelector('body[data-run-status=failed]');
    expect(await page.locator('#redrive-run').isVisible()).toBe(true);
    await page.click('#redrive-run');
    await page.waitForURL(`${url}/runs/${encodeURIComponent(`${runId}-r1`)}`);
    await page.waitForSelector('body[data-run-status=succeeded]');
    expect(await page.locator('#redrive-of').textContent()).toBe(runId);
    expect(await page.locator('#redrive-run').isVisible()).toBe(false);
    await page.locator('g.node[data-node-id="fetch"]').click();
    expect(await page.locator('#node-reused').textContent()).toContain(runId);
    expect(target.requests.filter((r) => r.path.endsWith(`t=${tag}`))).toHaveLength(1);
    await context.close();
  });

  it('approves a waiting node from the page', async () => {
    const def = graph('page-approval')
      .trigger()
      .node('review', 'approval', { prompt: 'Ship it?' }, { label: 'Release review' })
      .set('shipped', 'yes')
      .set('stopped', 'no')
      .edge('start', 'review')
      .edge('review', 'shipped', 'approved')
      .edge('review', 'stopped', 'rejected')
      .build();
    const runId = await startRun(def);
    const { context, page } = await signedIn();
    await page.goto(`${url}/runs/${encodeURIComponent(runId)}`);
    await page.waitForSelector('body[data-graph=ready]');
    await expect.poll(() => nodeClass(page, 'review')).toContain('status-waiting');
    const ask = page.locator('.ask[data-node-id=review]');
    expect(await ask.textContent()).toContain('Ship it?');
    await ask.locator('button.approve').click();
    await page.waitForSelector('body[data-run-status=succeeded]');
    expect(await nodeClass(page, 'shipped')).toContain('status-succeeded');
    expect(await nodeClass(page, 'stopped')).toContain('status-skipped');
    const run = await api<{ nodes: Record<string, { output?: unknown }> }>(`/v1/runs/${encodeURIComponent(runId)}`);
    expect(run.nodes.review!.output).toMatchObject({ approved: true, by: 'api-token' });
    await context.close();
  });

  it("shows a code node's logs with the node", async () => {
    const def = graph('page-code')
      .trigger()
      .node('shape', 'code', { code: "console.log('shaping', $input.n);\nconsole.warn('careful');\nreturn { n: $input.n * 2 };" }, { label: 'Shape it' })
      .edge('start', 'shape')
      .build();
    const runId = await startRun(def, { n: 21 });
    const { context, page } = await signedIn();
    await page.goto(`${url}/runs/${encodeURIComponent(runId)}`);
    await page.waitForSelector('body[data-run-status=succeeded]');
    await page.click('g.node[data-node-id=shape]');
    await expect.poll(() => page.locator('#node-logs').textContent()).toBe('info  shaping 21\nwarn  careful');
    expect(await page.locator('aside.details').textContent()).toContain('"n": 42');
    await context.close();
  });

  it('draws 1,000-node runs (a fan-out and a chain) and follows them to the end', async () => {
    let def = graph('page-wide').trigger().node('join', 'merge').with({ maxParallel: 1000 });
    for (let i = 0; i < 1000; i++)
      def = def
        .node(`d${i}`, 'delay', { duration: `${1 + (i % 3)}s` })
        .edge('start', `d${i}`)
        .edge(`d${i}`, 'join');
    const runId = await startRun(def.build());
    const { context, page } = await signedIn();
    await page.goto(`${url}/runs/${encodeURIComponent(runId)}`);
    await page.waitForSelector('body[data-graph=ready]', { timeout: 30_000 });
    expect(await page.locator('g.node').count()).toBe(1002);
    await page.waitForSelector('body[data-run-status=succeeded]', { timeout: 60_000 });
    await expect.poll(() => page.locator('g.node.status-succeeded').count()).toBe(1002);
    expect(await page.locator('g.row').count()).toBe(1002);

    // A 1,000-node chain is deeper than the layout worker's stack: the page lays it out itself.
    let chain = graph('page-chain').trigger();
    for (let i = 0; i < 1000; i++) chain = chain.set(`s${i}`, i).edge(i === 0 ? 'start' : `s${i - 1}`, `s${i}`);
    const chainRunId = await startRun(chain.build());
    await page.goto(`${url}/runs/${encodeURIComponent(chainRunId)}`);
    await page.waitForSelector('body[data-graph=ready]', { timeout: 30_000 });
    expect(await page.locator('g.node').count()).toBe(1001);
    await page.waitForSelector('body[data-run-status=succeeded]', { timeout: 60_000 });
    await expect.poll(() => page.locator('g.node.status-succeeded').count()).toBe(1001);
    await context.close();
  });

  it('lists runs filtered by workflow and status, paged, and saved workflows', async () => {
    await api('/v1/workflows/page-saved', { method: 'PUT', body: graph('page-saved').trigger().build() });
    const { context, page } = await signedIn();
    await page.goto(`${url}/runs?workflow=page-live`);
    await page.waitForSelector('#runs');
    expect(await page.locator('#runs tbody tr').count()).toBe(1);
    expect(await page.locator(`#runs tr[data-run-id="${watchedRunId}"] .badge`).textContent()).toBe('succeeded');
    await page.click(`#runs a[href="/runs/${encodeURIComponent(watchedRunId)}"]`);
    await page.waitForSelector('body[data-graph=ready]');

    await page.goto(`${url}/runs?status=canceled`);
    await page.waitForSelector('#runs');
    const canceled = await page.locator('#runs tbody .badge').allTextContents();
    expect(canceled.length).toBeGreaterThan(0);
    expect(new Set(canceled)).toEqual(new Set(['canceled']));

    await page.goto(`${url}/runs?limit=2`);
    await page.waitForSelector('#runs');
    const firstPage = await page.locator('#runs tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run-id')));
    expect(firstPage).toHaveLength(2);
    await page.click('a[rel=next]');
    await page.waitForSelector('#runs');
    const secondPage = await page.locator('#runs tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run-id')));
    expect(secondPage.length).toBeGreaterThan(0);
    expect(secondPage.filter((id) => firstPage.includes(id))).toEqual([]);
    await page.screenshot({ path: artifact('runs-page.png') });

    await page.goto(`${url}/workflows`);
    await page.waitForSelector('#workflows');
    expect(await page.locator('#workflows tr[data-workflow=page-saved]').count()).toBe(1);
    await context.close();
  });
});
