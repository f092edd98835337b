import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { createApiKey } from '../../api/src/auth/api-keys.ts';
import type { AuthMode } from '../../api/src/auth/viewer.ts';
import { ensureWebBuilt } from '../../api/src/cli/web-process.ts';
import { repoRoot } from '../../api/src/config.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { closeBrowser, launchBrowser } from '../support/browser.ts';
import type { DatabaseTarget } from '../support/database-targets.ts';
import { freePort } from '../support/ports.ts';
import {
  createTestDatabase,
  databaseTargets,
  type TestDatabase,
} from '../support/test-database.ts';

/** What a dashboard test drives: the database, the API over it, the dashboard and a page. */
export interface Dashboard {
  database: TestDatabase;
  api: TestApi;
  /** The dashboard's address, e.g. http://127.0.0.1:41234 (no trailing slash). */
  webUrl: string;
  page: Page;
}

export interface DashboardOptions {
  /** The PostgreSQL server of the fresh database; the embedded one unless given. */
  target?: DatabaseTarget;
  /**
   * 'on': the API refuses requests without a key, and the dashboard's server holds a viewer key
   * (the browser none). 'off' (the default): no keys.
   */
  auth?: AuthMode;
  /** Fills the database once the API runs, before the dashboard starts. */
  seed?: (fresh: { database: TestDatabase; api: TestApi }) => Promise<void>;
  /** The dashboard page that must answer before the tests start; /workers unless given. */
  readyPath?: string;
  /** The page's viewport; Playwright's default unless given. */
  viewport?: { width: number; height: number };
}

/** `next start` over the production build, with the dashboard's key (if any) in its environment. */
function spawnDashboard(port: number, apiUrl: string, apiKey?: string): ChildProcess {
  const nextCli = path.join(repoRoot, 'node_modules', 'next', 'dist', 'bin', 'next');
  return spawn(process.execPath, [nextCli, 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: path.join(repoRoot, 'web'),
    env: {
      ...process.env,
      NEXT_TELEMETRY_DISABLED: '1',
      FACTORLAB_API_URL: apiUrl,
      ...(apiKey === undefined ? {} : { FACTORLAB_API_KEY: apiKey }),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

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

/**
 * For the enclosing describe block: a fresh database, the API over it (seeded by `seed`), the
 * dashboard (`next start` over its production build, built first if its sources changed) and a
 * Chromium page, made before its tests and removed after; `use` receives them once they exist.
 */
export function useDashboard(options: DashboardOptions, use: (dashboard: Dashboard) => void): void {
  let database: TestDatabase | undefined;
  let api: TestApi | undefined;
  let web: ChildProcess | undefined;
  let page: Page | undefined;

  beforeAll(async () => {
    const target =
      options.target ?? databaseTargets().find((candidate) => candidate.name === 'embedded')!;
    database = await createTestDatabase(target);
    const auth = options.auth ?? 'off';
    api = await startTestApi(database, auth);
    const viewerKey =
      auth === 'on'
        ? (await createApiKey(database.db, { name: 'dashboard', role: 'VIEWER' })).token
        : undefined;
    await options.seed?.({ database, api });
    ensureWebBuilt();
    const webPort = await freePort();
    const webUrl = `http://127.0.0.1:${webPort}`;
    web = spawnDashboard(webPort, api.url, viewerKey);
    await waitForHttp(`${webUrl}${options.readyPath ?? '/workers'}`);
    const browser = await launchBrowser();
    page = await browser.newPage(options.viewport ? { viewport: options.viewport } : {});
    use({ database, api, webUrl, page });
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
}
