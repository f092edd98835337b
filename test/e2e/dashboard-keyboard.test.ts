import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt, spawnWeb } from '../../api/src/cli/web-process.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { closeBrowser, launchBrowser } from '../support/browser.ts';
import { freePort } from '../support/ports.ts';
import { queueSelftest } from '../support/runs.ts';
import {
  createTestDatabase,
  databaseTargets,
  type TestDatabase,
} from '../support/test-database.ts';

async function waitForHttp(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The focused element's tag, name, text and outline style, as the browser computes them. */
const focused = (page: Page) =>
  page.locator(':focus').evaluate((element) => ({
    tag: element.tagName.toLowerCase(),
    id: element.id,
    name: element.getAttribute('name'),
    text: element.textContent?.trim(),
    outline: element.ownerDocument.defaultView?.getComputedStyle(element).outlineStyle,
  }));

describe('the dashboard by keyboard alone, in Chromium', () => {
  let database: TestDatabase;
  let api: TestApi;
  let web: ChildProcess | undefined;
  let webUrl: string;
  let page: Page;

  beforeAll(async () => {
    const target = databaseTargets().find((candidate) => candidate.name === 'embedded')!;
    database = await createTestDatabase(target);
    api = await startTestApi(database);
    await queueSelftest(database.db, { size: 8 });
    ensureWebBuilt();
    const webPort = await freePort();
    webUrl = `http://127.0.0.1:${webPort}`;
    web = spawnWeb(webPort, api.url, '127.0.0.1');
    await waitForHttp(`${webUrl}/workers`);
    page = await (await launchBrowser()).newPage();
  }, 300_000);

  afterAll(async () => {
    await page?.close();
    await closeBrowser();
    if (web && web.exitCode === null) {
      const exited = once(web, 'exit');
      web.kill('SIGTERM');
      await exited;
    }
    await api?.stop();
    await database?.drop();
  });

  it('skips to the content with the first Tab, and shows where the focus is', async () => {
    await page.goto(`${webUrl}/`);
    await page.keyboard.press('Tab');
    const skip = await focused(page);
    expect([skip.tag, skip.text, skip.outline]).toEqual(['a', 'Skip to content', 'solid']);
    // Visible while focused (it waits off screen otherwise).
    const box = await page.locator('.skip-link').boundingBox();
    expect(box!.y).toBeGreaterThanOrEqual(0);
    await page.keyboard.press('Enter');
    expect((await focused(page)).id).toBe('content');
    // The next Tab lands inside the page, past the header's links.
    await page.keyboard.press('Tab');
    expect(await page.locator('#content :focus').count()).toBe(1);
  });

  it('jumps to the filters with /, opens sections with g then a letter, and lists the keys with ?', async () => {
    await page.goto(`${webUrl}/`);
    await page.keyboard.press('/');
    expect(await focused(page)).toMatchObject({ tag: 'input', name: 'kind' });
    // Typed into a field, the keys are text, not shortcuts.
    await page.keyboard.type('g/l');
    expect(await page.locator('input[name="kind"]').inputValue()).toBe('g/l');
    expect(new URL(page.url()).pathname).toBe('/');

    await page.locator('h1').click();
    await page.keyboard.press('g');
    await page.keyboard.press('w');
    await page.waitForURL(/\/workers$/);
    await page.keyboard.press('g');
    await page.keyboard.press('l');
    await page.waitForURL(/\/leaderboard$/);
    await page.keyboard.press('/');
    expect(await focused(page)).toMatchObject({ tag: 'input', name: 'kind' });

    await page.locator('h1').click();
    await page.keyboard.press('?');
    const help = page.locator('[data-testid="shortcuts-help"]');
    expect(await help.textContent()).toContain('Go to Workers');
    await page.keyboard.press('Escape');
    expect(await help.count()).toBe(0);
  });

  it('keeps a chosen light or dark theme over the system setting, across a reload', async () => {
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(`${webUrl}/`);
    const background = () =>
      page.locator('body').evaluate((body) => {
        const view = body.ownerDocument.defaultView!;
        return view.getComputedStyle(body).backgroundColor;
      });
    const theme = () => page.locator('html').getAttribute('data-theme');
    expect([await theme(), await background()]).toEqual([null, 'rgb(255, 255, 255)']);

    await page.locator('[data-testid="theme-choice"]').selectOption('dark');
    expect([await theme(), await background()]).toEqual(['dark', 'rgb(20, 23, 29)']);
    await page.reload();
    expect([await theme(), await background()]).toEqual(['dark', 'rgb(20, 23, 29)']);
    expect(await page.locator('[data-testid="theme-choice"]').inputValue()).toBe('dark');

    // Light chosen on a dark system stays light; back to the system's, it follows it.
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.locator('[data-testid="theme-choice"]').selectOption('light');
    expect([await theme(), await background()]).toEqual(['light', 'rgb(255, 255, 255)']);
    await page.locator('[data-testid="theme-choice"]').selectOption('system');
    expect([await theme(), await background()]).toEqual([null, 'rgb(20, 23, 29)']);
    await page.emulateMedia({ colorScheme: 'light' });
  });
});
