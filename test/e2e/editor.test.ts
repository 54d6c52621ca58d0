/**
 * The graph editor in a real browser (Debian's Chromium through
 * playwright-core) against the real API, a worker and a Temporal dev server:
 * draw a graph from an empty /editor, see the API's problems on a node as a
 * field is emptied and filled, save, run, reopen, delete and undo, export,
 * and a custom node type from examples/node-types in the palette with its
 * form. Screenshots go to test-artifacts/.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifact } from '../helpers/browser';
import type { HttpTarget } from '../helpers/http-target';
import type { PageStack } from '../helpers/page-stack';
import { startPageStack } from '../helpers/page-stack';

let stack: PageStack;
let target: HttpTarget;
let browser: Browser;
let url: string;
const NAME = 'drawn-in-the-editor';

beforeAll(async () => {
  stack = await startPageStack({ nodeTypesModule: resolve(__dirname, '..', '..', 'examples', 'node-types', 'index.ts') });
  ({ target, browser, url } = stack);
});

afterAll(() => stack?.close());

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`${url}${path}`);
  const body = (await res.json()) as T;
  if (!res.ok) throw new Error(`${res.status} ${JSON.stringify(body)}`);
  return body;
}

const flowNode = (page: Page, id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);

/** Drags a palette item onto the canvas at (x, y) of the canvas. */
async function dropNode(page: Page, type: string, x: number, y: number): Promise<void> {
  await page.locator(`.palette-item[data-node-type="${type}"]`).dragTo(page.locator('.canvas'), { targetPosition: { x, y } });
}

/** Drags from a node's source handle to another's target handle, as a person connects them. */
async function connect(page: Page, source: string, target: string): Promise<void> {
  const from = (await flowNode(page, source).locator('.react-flow__handle.source').first().boundingBox())!;
  const to = (await flowNode(page, target).locator('.react-flow__handle.target').boundingBox())!;
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 12 });
  await page.mouse.up();
}

async function select(page: Page, id: string): Promise<void> {
  await flowNode(page, id).locator('.braid-node-title').click();
  await page.waitForSelector(`.node-panel[data-node-id="${id}"]`);
}

const urlField = (page: Page) => page.locator('.field[data-field="data.url"] input');
const validationState = (page: Page) => page.locator('#editor-validation').getAttribute('data-state');

describe('editor', () => {
  it('draws, validates, saves, runs, reopens, deletes and undoes, and exports a graph', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 860 }, acceptDownloads: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // The browser logs each 422 of validation as a failed load; anything else is a defect.
    page.on('console', (m) => m.type() === 'error' && !m.text().includes('status of 422') && errors.push(m.text()));

    await page.goto(`${url}/editor`);
    await page.waitForSelector('.palette-item[data-node-type="trigger"]');
    await dropNode(page, 'trigger', 120, 260);
    await dropNode(page, 'http', 520, 150);
    await dropNode(page, 'http', 520, 380);
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(3);
    for (const id of ['trigger', 'http', 'http-2']) await expect(flowNode(page, id).count()).resolves.toBe(1);

    await connect(page, 'trigger', 'http');
    await connect(page, 'trigger', 'http-2');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(2);

    // Both http nodes want a URL: the API says so, on each node and at the field.
    await expect.poll(() => flowNode(page, 'http').getAttribute('data-invalid')).toBe('true');
    await select(page, 'http');
    await expect.poll(() => page.locator('.field[data-field="data.url"] [data-field-error]').count()).toBe(1);
    await urlField(page).fill(`${target.url}/delay/150`);
    await select(page, 'http-2');
    await urlField(page).fill(`${target.url}/delay/400`);
    await expect.poll(() => flowNode(page, 'http-2').getAttribute('data-invalid')).toBeNull();
    await expect.poll(() => flowNode(page, 'http').getAttribute('data-invalid')).toBeNull();

    // Emptied: the problem appears on the node and at its field, with the API's message; filled again: gone.
    await urlField(page).fill('');
    await expect.poll(() => flowNode(page, 'http-2').getAttribute('data-invalid')).toBe('true');
    expect(await page.locator('.field[data-field="data.url"] [data-field-error]').textContent()).not.toBe('');
    await expect.poll(() => page.locator('#editor-save').isDisabled()).toBe(true);
    await urlField(page).fill(`${target.url}/delay/400`);
    await expect.poll(() => flowNode(page, 'http-2').getAttribute('data-invalid')).toBeNull();

    // An expression is marked as one.
    await page.locator('.field[data-field="data.url"] input').fill(`{% "${target.url}/delay/" & "400" %}`);
    await expect.poll(() => page.locator('.field[data-field="data.url"] [data-expression="true"]').count()).toBe(1);
    await urlField(page).fill(`${target.url}/delay/400`);

    await page.locator('#workflow-name').fill(NAME);
    await page.locator('#editor-layout').click();
    await expect.poll(() => validationState(page)).toBe('valid');
    await page.locator('#editor-save').click();
    await expect.poll(() => page.locator('#editor-status').textContent()).toMatch(/^Saved version [0-9a-f]{16}$/);
    const saved = await api<{ latestVersion: string; versions: unknown[] }>(`/v1/workflows/${NAME}`);
    expect(saved.versions).toHaveLength(1);
    expect(await page.locator('#editor-status').textContent()).toBe(`Saved version ${saved.latestVersion}`);
    expect(new URL(page.url()).pathname).toBe(`/workflows/${NAME}/edit`);
    await page.locator('#editor-save').click();
    await expect.poll(() => page.locator('#editor-status').textContent()).toBe(`Unchanged: this is version ${saved.latestVersion}`);
    await page.screenshot({ path: artifact('editor.png') });

    // Run: the input dialog, then the run page of the new run.
    await page.locator('#editor-run').click();
    await page.locator('#run-input').fill('{"customer": 7}');
    await Promise.all([page.waitForURL(/\/runs\/[^/]+$/), page.locator('#run-start').click()]);
    await page.waitForSelector('body[data-run-status=succeeded]', { timeout: 30_000 });
    const runId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    const run = await api<{ workflow: { name: string; version: string } | null; input: unknown }>(`/v1/runs/${encodeURIComponent(runId)}`);
    expect(run.workflow).toMatchObject({ name: NAME, version: saved.latestVersion });

    // The run page and /workflows link to the editor.
    await expect.poll(() => page.locator('#edit-workflow').getAttribute('href')).toBe(`/workflows/${NAME}/edit?version=${saved.latestVersion}`);
    await page.goto(`${url}/workflows`);
    await page.locator(`tr[data-workflow="${NAME}"] a[href="/workflows/${NAME}/edit"]`).click();
    await page.waitForURL(`${url}/workflows/${NAME}/edit`);
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(3);
    // The last run: each node's duration, and its critical path (through the slower request) outlined.
    await expect.poll(() => page.locator('.braid-node-duration').count()).toBe(3);
    expect(Number(await flowNode(page, 'http-2').locator('.braid-node-duration').getAttribute('data-duration-ms'))).toBeGreaterThanOrEqual(400);
    await expect.poll(() => flowNode(page, 'http-2').getAttribute('data-critical')).toBe('true');
    expect(await flowNode(page, 'http').getAttribute('data-critical')).toBeNull();
    expect(await page.locator('#editor-runs').getAttribute('href')).toBe(`/runs?workflow=${NAME}`);
    await select(page, 'http-2');
    await expect.poll(() => validationState(page)).toBe('valid');
    await page.screenshot({ path: artifact('editor-last-run.png') });

    // Delete a node (its edge goes with it), then undo.
    await select(page, 'http-2');
    await page.keyboard.press('Delete');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(2);
    expect(await page.locator('.react-flow__edge').count()).toBe(1);
    await page.locator('.react-flow__pane').click({ position: { x: 10, y: 10 } });
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(3);
    expect(await page.locator('.react-flow__edge').count()).toBe(2);
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(2);
    await page.locator('#editor-undo').click();
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(3);

    // Export: the same JSON as saved, positions included.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#editor-export').click()]);
    const exported = JSON.parse(await readFile((await download.path())!, 'utf8')) as { nodes: { position?: unknown }[] };
    const asSaved = await api<unknown>(`/v1/workflows/${NAME}/versions/${saved.latestVersion}`);
    expect(exported).toEqual(asSaved);
    expect(exported.nodes.every((n) => n.position !== undefined)).toBe(true);

    expect(errors).toEqual([]);
    await context.close();
  });

  it('imports a definition without positions and lays it out; refuses what is not a graph', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 860 } });
    const page = await context.newPage();
    await page.goto(`${url}/editor`);
    await page.waitForSelector('.palette-item');
    const definition = {
      name: 'imported',
      nodes: [
        { id: 'start', type: 'trigger' },
        { id: 'check', type: 'condition', data: { expression: '{% $input.ok %}' } },
        { id: 'yes', type: 'set', data: { value: 1 } },
        { id: 'no', type: 'set', data: { value: 2 } },
      ],
      edges: [
        { source: 'start', target: 'check' },
        { source: 'check', target: 'yes', sourceHandle: 'true' },
        { source: 'check', target: 'no', sourceHandle: 'false' },
      ],
    };
    await page
      .locator('#editor-import')
      .setInputFiles({ name: 'imported.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(definition)) });
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(4);
    await expect.poll(() => validationState(page)).toBe('valid');
    // A condition has its two handles; dagre put the branches right of it.
    expect(await flowNode(page, 'check').locator('.react-flow__handle.source').count()).toBe(2);
    const x = async (id: string) => (await flowNode(page, id).boundingBox())!.x;
    expect(await x('yes')).toBeGreaterThan(await x('check'));
    expect(await x('check')).toBeGreaterThan(await x('start'));
    expect(await page.locator('#workflow-name').inputValue()).toBe('imported');

    await page.locator('#editor-import').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"edges": []}') });
    await expect.poll(() => page.locator('#editor-status').textContent()).toContain('Not imported');
    expect(await page.locator('.react-flow__node').count()).toBe(4);
    await context.close();
  });

  it('shows a custom node type from BRAID_NODE_TYPES in the palette, with a form from its schema', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 860 } });
    const page = await context.newPage();
    await page.goto(`${url}/editor`);
    const item = page.locator('.palette-item[data-node-type="slugify"]');
    await item.waitFor();
    expect(await item.textContent()).toContain('custom');
    // The built-in fail node sits in the logic group.
    expect(await page.locator('section:has(h3:text-is("logic")) .palette-item[data-node-type="fail"]').textContent()).toBe('Fail');
    await dropNode(page, 'slugify', 400, 250);
    await select(page, 'slugify');
    // Fields from its zod schema: a text, a select for the enum (with its default), a number.
    await expect(page.locator('.field[data-field="data.text"] input').count()).resolves.toBe(1);
    expect(await page.locator('.field[data-field="data.separator"] select option').allTextContents()).toEqual(['(default: -)', '-', '_']);
    expect(await page.locator('.field[data-field="data.maxLength"] input').getAttribute('type')).toBe('number');
    // Its required field is reported by the API at the field, like a built-in type's.
    await expect.poll(() => page.locator('.field[data-field="data.text"] [data-field-error]').count()).toBe(1);
    await page.locator('.field[data-field="data.text"] input').fill('{% $input.title %}');
    await expect.poll(() => page.locator('.field[data-field="data.text"] [data-field-error]').count()).toBe(0);
    await expect.poll(() => validationState(page)).toBe('invalid'); // still no trigger
    await page.screenshot({ path: artifact('editor-custom-type.png') });
    await context.close();
  });

  it("edits a code node's code in a code editor, with the API's syntax error at its line, and tests the node", async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 860 } });
    const page = await context.newPage();
    await page.goto(`${url}/editor`);
    await page.waitForSelector('.palette-item');
    const definition = {
      name: 'coded',
      nodes: [
        // Placed one above the other, clear of the side panel.
        { id: 'start', type: 'trigger', position: { x: 0, y: 0 } },
        { id: 'shape', type: 'code', data: { code: 'const n = $input.n;\nreturn { n: n + 1 };' }, position: { x: 0, y: 200 } },
      ],
      edges: [{ source: 'start', target: 'shape' }],
    };
    await page.locator('#editor-import').setInputFiles({ name: 'coded.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(definition)) });
    await expect.poll(() => validationState(page)).toBe('valid');
    await select(page, 'shape');
    const editor = page.locator('.field[data-field="data.code"] .cm-editor');
    await editor.waitFor();
    // Highlighted as JavaScript: a keyword has its own token.
    expect(await editor.locator('.cm-line').count()).toBe(2);
    expect(await editor.locator('.cm-content span').first().textContent()).toBe('const');
    // Break line 2: the API's problem is drawn at line 2 and said under the field.
    await editor.locator('.cm-line').nth(1).click();
    await page.keyboard.press('End');
    await page.keyboard.type(' +');
    await expect.poll(() => validationState(page)).toBe('invalid');
    await expect.poll(() => page.locator('.field[data-field="data.code"] [data-field-error]').textContent()).toMatch(/^syntax error at line 2, column/);
    await expect.poll(() => editor.locator('.cm-lint-marker-error').count()).toBe(1);
    const marker = await editor.locator('.cm-lint-marker-error').boundingBox();
    const [line1, line2] = [await editor.locator('.cm-line').nth(0).boundingBox(), await editor.locator('.cm-line').nth(1).boundingBox()];
    // Level with line 2, not line 1.
    expect(Math.abs(marker!.y + marker!.height / 2 - (line2!.y + line2!.height / 2))).toBeLessThan(Math.abs(line2!.y - line1!.y) / 2);
    // Fixed again: valid, and what was typed is in the document.
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await expect.poll(() => validationState(page)).toBe('valid');
    // Test this node: on an input, without saving; its output and logs in the panel.
    await page.locator('#test-node-input').fill('{"n": 41}');
    await page.click('#test-node');
    await expect.poll(() => page.locator('#test-node-result').textContent(), { timeout: 30_000 }).toContain('"n": 42');
    await page.screenshot({ path: artifact('editor-code-node.png') });
    await context.close();
  });
});
