import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium; `npx playwright install` cannot download browsers on these machines. */
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let launched: Promise<Browser> | undefined;

/**
 * The test file's headless Chromium, launched on first use. Playwright gives every launch a fresh
 * temporary profile, and `browser.newPage()` a fresh context, so tests share no state.
 */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: install it with \`apt-get install chromium\` ` +
        '(or `bash .ci/install-system-deps.sh`), or point CHROMIUM_PATH at a Chromium binary',
    );
  }
  launched ??= chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  return launched;
}

export async function closeBrowser(): Promise<void> {
  const browser = launched;
  launched = undefined;
  if (browser === undefined) return;
  await (await browser).close();
}

/**
 * The page's title once it contains `expected`, or as it stands after `timeoutMs`. After a client
 * navigation the URL changes before Next.js applies the new page's metadata, so reading the title
 * right after `waitForURL` races it; the caller still asserts on what this returns.
 */
export async function settledTitle(
  page: Page,
  expected: string,
  timeoutMs = 5000,
): Promise<string> {
  // A string, evaluated in the page: this project's types have no DOM library.
  await page
    .waitForFunction(`document.title.includes(${JSON.stringify(expected)})`, undefined, {
      timeout: timeoutMs,
    })
    .catch(() => undefined);
  return page.title();
}

/** Waits until the page's shortcut keys listen, i.e. it is hydrated (a key pressed sooner is lost). */
export async function shortcutsReady(page: Page): Promise<void> {
  await page.locator('html[data-shortcuts="on"]').waitFor({ state: 'attached' });
}
