import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../api/src/config.ts';
import { settledTitle } from '../support/browser.ts';
import { queueSelftest } from '../support/runs.ts';
import type { TestDatabase } from '../support/test-database.ts';
import { useDashboard } from './dashboard-fixture.ts';

const SHOTS = path.join(repoRoot, '.lab', 'screenshots');

/** The document's scroll width against its client width: equal when nothing scrolls sideways. */
async function sideways(page: Page): Promise<{ scrollWidth: number; clientWidth: number }> {
  // A string, evaluated in the page: this file is type-checked without the DOM's types.
  const [scrollWidth, clientWidth] = await page.evaluate<[number, number]>(
    '[document.documentElement.scrollWidth, document.documentElement.clientWidth]',
  );
  return { scrollWidth, clientWidth };
}

const headers = (page: Page) =>
  page.locator('[data-testid="runs-table"] thead th').allTextContents();

/**
 * The runs table's chosen columns, the sweep builder, the experiments pages and the run page's
 * link to its experiment, against the real API on a fresh database.
 */
describe('dashboard: chosen columns, the sweep builder and experiments, in Chromium', () => {
  let database: TestDatabase;
  let webUrl: string;
  let page: Page;
  let failedRun: { id: string; experimentId: string };
  let nightlyIds: string[];

  useDashboard(
    {
      readyPath: '/experiments',
      seed: async ({ database }) => {
        const db = database.db;
        // 22 selftest experiments: more than one page of the list (20).
        for (let i = 0; i < 22; i++) await queueSelftest(db, { size: 8 + i });
        failedRun = await queueSelftest(db, { size: 7 });
        await db.run.update({
          where: { id: failedRun.id },
          data: { status: 'FAILED', error: 'out of memory', finishedAt: new Date() },
        });
        await db.experiment.update({
          where: { id: failedRun.experimentId },
          data: { name: 'selftest that failed' },
        });
        // A sweep's point, so the experiment page's sweep link is tested on its own as well.
        const sweep = await db.sweep.create({
          data: { name: 'seeded sweep', kind: 'selftest', strategy: 'GRID', spec: {} },
        });
        await db.experiment.create({
          data: {
            name: 'seeded sweep #1',
            kind: 'selftest',
            config: { size: 8, repeats: 10, seed: 1 },
            configHash: 'seeded-sweep-1',
            sweepId: sweep.id,
            runs: { create: {} },
          },
        });
        nightlyIds = [];
        for (const experts of [4, 8]) {
          const experiment = await db.experiment.create({
            data: {
              name: `factorize nightly n${experts}`,
              kind: 'factorize',
              config: { model: '/models/demo', experts, topK: 1 },
              configHash: `nightly-${experts}`,
              runs: { create: { status: 'SUCCEEDED', finishedAt: new Date() } },
            },
          });
          nightlyIds.push(experiment.id);
        }
      },
    },
    (fresh) => ({ database, webUrl, page } = fresh),
  );

  it('shows the columns chosen, keeps them in the URL and remembers them; the URL wins', async () => {
    await page.goto(`${webUrl}/`);
    expect(await headers(page)).toContain('Device');
    // By keyboard: open the menu, untick Device, send.
    const summary = page.locator('[data-testid="columns-chooser"] summary');
    await summary.focus();
    await page.keyboard.press('Enter');
    const device = page.locator('.columns-menu input[data-column="device"]');
    await device.focus();
    await page.keyboard.press('Space');
    expect(await device.isChecked()).toBe(false);
    await page.locator('[data-testid="apply-columns"]').focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/cols=/);
    expect(await headers(page)).not.toContain('Device');
    expect(await page.locator('[data-testid="runs-table"] th', { hasText: 'Queued' }).count()).toBe(
      1,
    );
    const cols = new URL(page.url()).searchParams.getAll('cols');
    expect(cols).toContain('status');
    expect(cols).not.toContain('device');

    // A reload keeps them (the URL), and so does the section's plain address (the cookie).
    await page.reload();
    expect(await headers(page)).not.toContain('Device');
    await page.goto(`${webUrl}/`);
    expect(await headers(page)).not.toContain('Device');
    // Sorting and filtering carry the choice along.
    const queued = page.locator('[data-testid="runs-table"] th a', { hasText: 'Queued' });
    expect(new URL((await queued.getAttribute('href'))!, webUrl).searchParams.get('cols')).toBe(
      'run,kind,status,progress,gflops,queued,finished,duration',
    );
    await page.locator('[data-testid="runs-filters"] input[name="kind"]').fill('selftest');
    await page.locator('[data-testid="runs-filters"] button[type="submit"]').click();
    await page.waitForURL(/kind=selftest/);
    expect(await headers(page)).not.toContain('Device');

    // A shared link's columns win over the remembered ones.
    await page.goto(`${webUrl}/?cols=run,device`);
    expect((await headers(page)).map((text) => text.trim())).toEqual(['Compare', 'Run', 'Device']);

    // Every column again, chosen with the mouse this time.
    await page.goto(`${webUrl}/`);
    await summary.click();
    await device.check();
    await page.locator('[data-testid="apply-columns"]').click();
    await page.waitForURL(/cols=.*device/);
    expect(await headers(page)).toContain('Device');
  });

  it('counts a sweep before queueing, refuses one over its cap, shows the API refusal at its parameter, and queues one', async () => {
    const sweeps = () => database.db.sweep.count();
    const sweepsBefore = await sweeps();
    await page.goto(`${webUrl}/queue?kind=selftest&as=sweep`);
    const count = page.locator('[data-testid="sweep-count"]');
    const rows = page.locator('[data-testid="sweep-parameter"]');
    await rows.nth(0).locator('[data-testid="parameter-path"]').fill('size');
    await rows.nth(0).locator('[data-testid="parameter-values"]').fill('8, 16, 32');
    await page.locator('[data-testid="add-parameter"]').click();
    await rows.nth(1).locator('[data-testid="parameter-path"]').fill('repeats');
    await rows.nth(1).locator('[data-testid="parameter-values"]').fill('1, 2');
    expect(await count.textContent()).toBe('6 runs of at most 100');

    // Over the cap: refused in the form, at the parameters, before anything is sent.
    await page.locator('[data-testid="sweep-max-runs"]').fill('4');
    const capError = page.locator('[data-testid="field-error"][data-field="parameters"]');
    expect(await capError.textContent()).toBe('the grid has 6 points, more than maxRuns (4)');
    expect(await count.getAttribute('data-over-cap')).toBe('true');
    const submit = page.locator('[data-testid="queue-sweep"]');
    expect(await submit.isDisabled()).toBe(true);

    // A cap that is no number is refused at the cap itself.
    await page.locator('[data-testid="sweep-max-runs"]').fill('lots');
    expect(
      await page.locator('[data-testid="field-error"][data-field="maxRuns"]').textContent(),
    ).toBe('must be an integer from 1 to 500');
    expect(await count.textContent()).toBe('6 runs');
    await page.locator('[data-testid="sweep-max-runs"]').fill('4');

    // Random points: the count is the samples, refused over the cap at the samples.
    await page.locator('[data-testid="strategy-random"]').check();
    await page.locator('[data-testid="sweep-samples"]').fill('5');
    expect(await count.textContent()).toBe('5 runs of at most 4');
    expect(
      await page.locator('[data-testid="field-error"][data-field="samples"]').textContent(),
    ).toBe('is more than maxRuns (4)');
    expect(await submit.isDisabled()).toBe(true);
    await page.locator('[data-testid="strategy-grid"]').check();
    await page.locator('[data-testid="sweep-max-runs"]').fill('');
    expect(await capError.count()).toBe(0);
    expect(await submit.isDisabled()).toBe(false);

    // A size the job refuses: the API's refusal comes back at the parameter that varies it.
    await rows.nth(0).locator('[data-testid="parameter-values"]').fill('0, 8');
    expect(await count.textContent()).toBe('4 runs of at most 100');
    await submit.click();
    const refusal = page.locator('[data-testid="field-error"][data-field="row.0"]');
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/^point 1 \(size=0, repeats=1\): config\.size/);
    expect(await sweeps()).toBe(sweepsBefore);

    await rows.nth(0).locator('[data-testid="parameter-values"]').fill('8, 16, 32');
    expect(await submit.textContent()).toBe('Queue 6 runs');
    await submit.click();
    await page.waitForURL(/\/sweeps\/[0-9a-f-]{36}$/);
    const sweepId = new URL(page.url()).pathname.split('/').pop()!;
    const sweep = await database.db.sweep.findUniqueOrThrow({
      where: { id: sweepId },
      include: { experiments: { include: { runs: true } } },
    });
    expect(
      sweep.experiments
        .map((e) => e.config as Record<string, number>)
        .map((c) => [c.size, c.repeats])
        .sort(),
    ).toEqual([
      [16, 1],
      [16, 2],
      [32, 1],
      [32, 2],
      [8, 1],
      [8, 2],
    ]);
    // Its page lists its six runs, each a link to the run.
    expect(await page.locator('[data-testid="sweep-point"]').count()).toBe(6);
    const linked = await page
      .locator('[data-testid="sweep-point"] a.sweep-run')
      .evaluateAll((links) => links.map((link) => link.getAttribute('href')));
    expect(linked.sort()).toEqual(sweep.experiments.map((e) => `/runs/${e.runs[0]!.id}`).sort());
  });

  it('lists experiments a page at a time, filtered by name and kind', async () => {
    await page.goto(`${webUrl}/experiments`);
    const rowIds = () =>
      page
        .locator('[data-testid="experiment-row"]')
        .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-experiment-id')));
    const total = await database.db.experiment.count();
    expect(await page.locator('h1 .count').textContent()).toBe(String(total));
    const first = await rowIds();
    expect(first).toHaveLength(20);
    await page.locator('[data-testid="next-page"]').click();
    await page.waitForURL(/after=/);
    const second = await rowIds();
    expect(second).toHaveLength(total - 20);
    expect(new Set([...first, ...second]).size).toBe(total);

    await page.goto(`${webUrl}/experiments`);
    await page.locator('[data-testid="experiments-filters"] input[name="q"]').fill('NIGHTLY');
    await page.locator('[data-testid="experiments-filters"] input[name="kind"]').fill('factorize');
    await page.locator('[data-testid="experiments-filters"] button[type="submit"]').click();
    await page.waitForURL(/q=NIGHTLY/);
    expect((await rowIds()).sort()).toEqual([...nightlyIds].sort());
    const row = page.locator(`[data-experiment-id="${nightlyIds[0]}"]`);
    expect(await row.locator('[data-testid="experiment-run-count"]').textContent()).toBe('1');
    expect(
      await row
        .locator('[data-testid="experiment-latest"] .status-badge')
        .getAttribute('data-status'),
    ).toBe('SUCCEEDED');

    await page.goto(`${webUrl}/experiments?kind=selftest&q=failed`);
    expect(await rowIds()).toEqual([failedRun.experimentId]);
  });

  it('shows an experiment with its config and runs, queues another run of it, and is linked from its runs', async () => {
    await page.goto(`${webUrl}/runs/${failedRun.id}`);
    await page.locator('[data-testid="experiment-link"]').click();
    await page.waitForURL(new RegExp(`/experiments/${failedRun.experimentId}$`));
    expect(await settledTitle(page, 'selftest that failed')).toContain('selftest that failed');
    const config = JSON.parse(
      (await page.locator('[data-testid="experiment-config"]').textContent())!,
    ) as Record<string, unknown>;
    expect(config).toMatchObject({ size: 7 });
    const runIds = () =>
      page
        .locator('[data-testid="experiment-run"]')
        .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-run-id')));
    expect(await runIds()).toEqual([failedRun.id]);
    expect(await page.locator('[data-testid="experiment-sweep-link"]').count()).toBe(0);

    await page.locator('[data-testid="queue-another-run"]').click();
    await page.waitForURL(
      (url) => url.pathname.startsWith('/runs/') && !url.pathname.endsWith(failedRun.id),
    );
    const newRunId = new URL(page.url()).pathname.split('/').pop()!;
    const newRun = await database.db.run.findUniqueOrThrow({ where: { id: newRunId } });
    expect([newRun.experimentId, newRun.status]).toEqual([failedRun.experimentId, 'QUEUED']);

    await page.goto(`${webUrl}/experiments/${failedRun.experimentId}`);
    expect(await runIds()).toEqual([newRunId, failedRun.id]);
    // The latest run is queued: no other run can be queued until it fails or is cancelled.
    expect(await page.locator('[data-testid="queue-another-run"]').count()).toBe(0);
    await page.locator('[data-testid="queue-another-note"]').waitFor();

    // A sweep's point links to its sweep.
    const point = await database.db.experiment.findFirstOrThrow({
      where: { sweepId: { not: null } },
    });
    await page.goto(`${webUrl}/experiments/${point.id}`);
    await page.locator('[data-testid="experiment-sweep-link"]').click();
    await page.waitForURL(new RegExp(`/sweeps/${point.sweepId}$`));
  });

  it('fits the new pages into 1,400 and 1,024 px without scrolling sideways, keeping screenshots', async () => {
    mkdirSync(SHOTS, { recursive: true });
    const pages: Record<string, string> = {
      experiments: '/experiments',
      experiment: `/experiments/${failedRun.experimentId}`,
      'queue-sweep': '/queue?kind=selftest&as=sweep',
      'runs-columns': '/?cols=run,kind,status,queued',
    };
    for (const width of [1400, 1024]) {
      await page.setViewportSize({ width, height: 900 });
      for (const [name, href] of Object.entries(pages)) {
        await page.goto(`${webUrl}${href}`);
        if (name === 'queue-sweep') {
          // Two parameters of a random sweep: the widest the builder gets.
          await page.locator('[data-testid="strategy-random"]').check();
          await page.locator('[data-testid="add-parameter"]').click();
        }
        if (name === 'runs-columns') {
          await page.locator('[data-testid="columns-chooser"] summary').click();
        }
        const { scrollWidth, clientWidth } = await sideways(page);
        expect({ name, width, scrollWidth }).toEqual({ name, width, scrollWidth: clientWidth });
        await page.screenshot({ path: path.join(SHOTS, `${name}-${width}.png`), fullPage: true });
      }
    }
  });
});
