import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

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
