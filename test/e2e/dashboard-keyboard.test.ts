import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { shortcutsReady } from '../support/browser.ts';
import { queueSelftest } from '../support/runs.ts';
import { useDashboard } from './dashboard-fixture.ts';

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
  let webUrl: string;
  let page: Page;
  useDashboard(
    {
      seed: async ({ database }) => {
        await queueSelftest(database.db, { size: 8 });
      },
    },
    (fresh) => ({ webUrl, page } = fresh),
  );

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
    await shortcutsReady(page);
    // On the runs page, / lands in the search box.
    await page.keyboard.press('/');
    expect(await focused(page)).toMatchObject({ tag: 'input', name: 'q' });
    // Typed into a field, the keys are text, not shortcuts: the search applies it.
    await page.keyboard.type('g/l');
    expect(await page.locator('input[name="q"]').inputValue()).toBe('g/l');
    await page.waitForURL((url) => url.searchParams.get('q') === 'g/l');
    expect(new URL(page.url()).pathname).toBe('/');
    await page.locator('[data-testid="runs-empty"]').waitFor();
    // Escape empties it, and every run is listed again.
    await page.keyboard.press('Escape');
    await page.waitForURL((url) => !url.searchParams.has('q'));
    await page.locator('[data-testid="run-row"]').first().waitFor();

    await page.locator('h1').click();
    await page.keyboard.press('g');
    await page.keyboard.press('w');
    await page.waitForURL(/\/workers$/);
    await page.keyboard.press('g');
    await page.keyboard.press('l');
    await page.waitForURL(/\/leaderboard$/);
    // The address changes as the navigation starts; the keys act on the page once it is shown.
    await page.locator('form.filters input[name="kind"]').waitFor();
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
