/**
 * The pages for teams in Debian's Chromium, against the API on a real port,
 * a Temporal dev server and a worker: the project switcher, the credentials
 * page (add, rotate, delete; a value never comes back to the page) and the
 * team page (members and keys, for owners only).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PageStack } from '../helpers/page-stack';
import { startPageStack } from '../helpers/page-stack';

const TOKEN = 'team-pages-token-0123456789abcdef';
const SECRET = 'sk_test_page_secret_4242';
const ROTATED = 'sk_test_page_rotated_9898';
let stack: PageStack;
let browser: Browser;
let url: string;
const key: Record<string, string> = {};

async function api<T>(path: string, init: { method?: string; body?: unknown; token?: string } = {}): Promise<T> {
  const res = await fetch(`${url}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${init.token ?? TOKEN}`, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
  });
  const body = (await res.json()) as T;
  if (!res.ok) throw new Error(`${res.status} ${JSON.stringify(body)}`);
  return body;
}

beforeAll(async () => {
  stack = await startPageStack({ apiToken: TOKEN });
  ({ browser, url } = stack);
  for (const name of ['acme', 'shop']) await api('/v1/projects', { method: 'POST', body: { name } });
  for (const [name, roles] of [
    ['acme-owner', { acme: 'owner' }],
    ['acme-viewer', { acme: 'viewer' }],
  ] as const) {
    key[name] = (await api<{ key: string }>('/v1/keys', { method: 'POST', body: { name, roles } })).key;
  }
  await api('/v1/credentials', {
    method: 'POST',
    token: TOKEN,
    body: { name: 'in-default', type: 'bearer', data: { token: 'default-only-token' }, allowedHosts: ['a.test'] },
  });
}, 120_000);

afterAll(() => stack?.close());

/** A browser context signed in through the sign-in form with `token`. */
async function signedIn(token: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${url}/credentials`);
  await page.fill('input[name=token]', token);
  await Promise.all([page.waitForURL(`${url}/credentials`), page.click('form.login button[type=submit]')]);
  return { context, page };
}

const pageText = (page: Page) => page.evaluate<string>('document.documentElement.outerHTML + JSON.stringify(localStorage)');

describe('the pages for teams', () => {
  it('adds, rotates and deletes a credential, and no value ever comes back to the page', async () => {
    const { context, page } = await signedIn(key['acme-owner']!);
    // One project: the switcher shows it, and the page works in it.
    await expect.poll(() => page.locator('#project-switcher option').allTextContents()).toEqual(['acme (owner)']);
    await page.fill('#new-credential input[name=name]', 'stripe');
    await page.fill('#new-credential input[name="data.token"]', SECRET);
    await page.fill('#new-credential input[name=hosts]', 'api.stripe.com, 127.0.0.1:4000');
    await page.click('#new-credential button[type=submit]');
    const row = page.locator('tr[data-credential="stripe"]');
    await expect.poll(() => row.textContent()).toContain('api.stripe.com, 127.0.0.1:4000');
    expect(await page.inputValue('#new-credential input[name="data.token"]')).toBe('');
    expect(await api<{ credentials: { name: string }[] }>('/v1/credentials', { token: key['acme-owner'] })).toMatchObject({
      credentials: [{ name: 'stripe' }],
    });

    await row.locator('button', { hasText: 'Rotate' }).click();
    await page.fill('form[data-rotate="stripe"] input[name="data.token"]', ROTATED);
    await page.click('form[data-rotate="stripe"] button[type=submit]');
    await expect.poll(async () => (await row.locator('td').nth(4).textContent()) !== '–').toBe(true);
    await page.reload();
    await expect.poll(() => page.locator('tr[data-credential="stripe"]').count()).toBe(1);
    const seen = await pageText(page);
    expect(seen).not.toContain(SECRET);
    expect(seen).not.toContain(ROTATED);
    // default's credential is not acme's to see.
    expect(seen).not.toContain('in-default');

    page.once('dialog', (d) => void d.accept());
    await page.locator('tr[data-credential="stripe"] button', { hasText: 'Delete' }).click();
    await expect.poll(() => page.locator('#credentials, .empty').first().textContent()).toContain('No credentials');
    await context.close();
  }, 60_000);

  it('lets an owner change members and make and revoke keys; the new key is shown once', async () => {
    const { context, page } = await signedIn(key['acme-owner']!);
    await page.goto(`${url}/team`);
    await expect.poll(() => page.locator('#members tr[data-member]').count()).toBe(2);
    await page.fill('#add-member input[name=principal]', 'oidc:alice');
    await page.selectOption('#add-member select[name=role]', 'viewer');
    await page.click('#add-member button[type=submit]');
    const alice = page.locator('tr[data-member="oidc:alice"]');
    await expect.poll(() => alice.count()).toBe(1);
    await alice.locator('select').selectOption('editor');
    await expect
      .poll(async () => (await api<{ members: { principal: string; role: string }[] }>('/v1/projects/acme/members')).members)
      .toContainEqual({
        project: 'acme',
        principal: 'oidc:alice',
        role: 'editor',
      });

    await page.fill('#new-key input[name=name]', 'deploy');
    await page.click('#new-key button[type=submit]');
    const shown = (await page.locator('#new-key-value').textContent())!;
    expect(shown).toMatch(/^braid_[0-9a-f]{16}_/);
    expect(await api<{ roles: Record<string, string> }>('/v1/whoami', { token: shown })).toMatchObject({ roles: { acme: 'operator' } });
    await page.reload();
    await expect.poll(() => page.locator('#keys tr[data-key]').count()).toBeGreaterThan(0);
    expect(await pageText(page)).not.toContain(shown);
    const id = /^braid_([0-9a-f]{16})_/.exec(shown)![1]!;
    await page.locator(`tr[data-key="${id}"] button`, { hasText: 'Revoke' }).click();
    await expect.poll(() => page.locator(`tr[data-key="${id}"]`).textContent()).toContain('revoked');
    expect((await fetch(`${url}/v1/whoami`, { headers: { authorization: `Bearer ${shown}` } })).status).toBe(401);

    await alice.locator('button', { hasText: 'Remove' }).click();
    await expect.poll(() => page.locator('tr[data-member="oidc:alice"]').count()).toBe(0);
    await context.close();
  }, 60_000);

  it('tells a viewer the team page is for owners, and refuses its credential', async () => {
    const { context, page } = await signedIn(key['acme-viewer']!);
    await page.fill('#new-credential input[name=name]', 'mine');
    await page.fill('#new-credential input[name="data.token"]', 'x');
    await page.fill('#new-credential input[name=hosts]', 'a.test');
    await page.click('#new-credential button[type=submit]');
    await expect.poll(() => page.locator('#new-credential .problem').textContent()).toMatch(/viewer in "acme"/);
    await page.goto(`${url}/team`);
    await expect.poll(() => page.locator('main').textContent()).toContain('Only owners of acme');
    await context.close();
  }, 60_000);

  it("switches an administrator's pages between projects", async () => {
    const { context, page } = await signedIn(TOKEN);
    await expect.poll(() => page.locator('#project-switcher option').allTextContents()).toEqual(['acme', 'default', 'shop']);
    await expect.poll(() => page.locator('tr[data-credential="in-default"]').count()).toBe(1);
    await Promise.all([page.waitForEvent('load'), page.selectOption('#project-switcher', 'shop')]);
    await expect.poll(() => page.locator('main').textContent()).toContain('No credentials in this project.');
    expect(await page.locator('#project-switcher').inputValue()).toBe('shop');
    await context.close();
  }, 60_000);
});
