/**
 * The run page on the cluster, in Chromium: a run started through API 1 is
 * drawn and followed to its end by the page served by API 2 (signed in with
 * the token), and links to the cluster's Web UI, which opens behind the
 * same sign-in.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser';
import { useCluster } from './context';
import { CLUSTER_TOKEN } from './global-setup';

const ctx = useCluster();
let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('the run page on the cluster', () => {
  it('draws a run started through the other replica and follows it to the end', async () => {
    const started = await ctx.json(0, 'POST', '/v1/runs', {
      workflow: {
        name: 'cluster-page',
        nodes: [
          { id: 'start', type: 'trigger' },
          { id: 'slow', type: 'http', label: 'Slow call', data: { url: `${ctx.target.url}/delay/1500` } },
          { id: 'after', type: 'set', data: { value: '{% $nodes.slow.output.status %}' } },
        ],
        edges: [
          { source: 'start', target: 'slow' },
          { source: 'slow', target: 'after' },
        ],
      },
    });
    const runId: string = started.body.runId;
    const page = await browser.newPage();
    const api2 = ctx.apis[1];
    await page.goto(`${api2}/runs/${encodeURIComponent(runId)}`);
    await page.fill('input[name=token]', CLUSTER_TOKEN);
    await Promise.all([page.waitForURL(`${api2}/runs/${encodeURIComponent(runId)}`), page.click('form.login button[type=submit]')]);
    await page.waitForSelector('body[data-graph=ready]');
    expect(await page.locator('g.node').count()).toBe(3);
    expect(await page.locator('g.node[data-node-id=slow] .node-label').textContent()).toBe('Slow call');
    await page.waitForSelector('body[data-run-status=succeeded]', { timeout: 60_000 });
    expect(await page.locator('#nodes-done').textContent()).toBe('3 / 3');
    const link = await page.locator('#temporal-ui-link').getAttribute('href');
    expect(link).toContain(`${ctx.uiUrl}/namespaces/default/workflows/${runId}`);
    // The Web UI behind the API: the same sign-in (sessions live in the shared database) opens it on the run.
    await page.goto(link!);
    await page.waitForSelector(`text=${runId}`, { timeout: 30_000 });
    await page.close();
    // Without a session it is the sign-in page, not the UI.
    const stranger = await browser.newPage();
    await stranger.goto(link!);
    expect(await stranger.locator('input[name=token]').count()).toBe(1);
    await stranger.close();
  });
});
