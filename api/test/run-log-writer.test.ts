import { describe, expect, it } from 'vitest';
import { PROGRESS_LINE_INTERVAL_MS, ProgressLines } from '../../api/src/worker/progress-lines.ts';
import {
  levelOf,
  MAX_MESSAGE_CHARS,
  MAX_PENDING_LINES,
  RUN_LOG_RETENTION,
  RunLog,
} from '../../api/src/worker/run-log.ts';
import { useApiOnFreshDatabase } from '../../test/support/api-fixture.ts';
import { queueSelftest } from '../../test/support/runs.ts';
import { databaseTargets, type TestDatabase } from '../../test/support/test-database.ts';

describe('progress ticks as log lines', () => {
  it('logs each new stage, then one line per 10% gained at most every 5 s', () => {
    let now = 0;
    const lines = new ProgressLines(() => now);
    const logged: (string | null)[] = [];
    logged.push(lines.next(0, 'acquiring GPU'));
    logged.push(lines.next(0.05, 'compiling'));
    // A tick per step for 1,000 steps over 100 s within one stage.
    for (let step = 0; step < 1000; step++) {
      now = step * 100;
      logged.push(lines.next(0.1 + (0.9 * step) / 1000, 'training'));
    }
    const kept = logged.filter((line) => line !== null);
    expect(kept.slice(0, 3)).toEqual(['acquiring GPU (0%)', 'compiling (5%)', 'training (10%)']);
    const percents = kept.slice(3).map((line) => Number(/^training \((\d+)%\)$/.exec(line)![1]));
    expect(percents.length).toBeGreaterThan(3);
    expect(percents.length).toBeLessThanOrEqual(100_000 / PROGRESS_LINE_INTERVAL_MS);
    for (const [i, percent] of percents.entries()) {
      expect(percent - (percents[i - 1] ?? 10)).toBeGreaterThanOrEqual(10);
    }
  });

  it('counts stages differing only in numbers as one, and going back to a stage as a tick', () => {
    let now = 0;
    const lines = new ProgressLines(() => now);
    const kept: string[] = [];
    const tick = (fraction: number, stage: string) => {
      const line = lines.next(fraction, stage);
      if (line !== null) kept.push(line);
    };
    tick(0, 'preparing data');
    // A pretraining loop: `step N/1000` every step, validation every 50 steps, 0.1 s a step.
    for (let step = 1; step <= 1000; step++) {
      now = step * 100;
      if (step % 50 === 0) tick(step / 1000, 'scoring the validation split');
      tick(step / 1000, `step ${step}/1000`);
    }
    expect(kept.slice(0, 3)).toEqual([
      'preparing data (0%)',
      'step 1/1000 (0%)',
      'scoring the validation split (5%)',
    ]);
    // Then the steps' own ticks, never the return to a stage seen before.
    const ticks = kept.slice(3);
    expect(ticks.length).toBeGreaterThan(3);
    expect(ticks.length).toBeLessThanOrEqual(100_000 / PROGRESS_LINE_INTERVAL_MS);
    for (const line of ticks) expect(line).toMatch(/^step \d+\/1000 \(\d+%\)$/);
  });

  it('reads the level from the message: warning and error prefixes', () => {
    expect(levelOf('warning: loss is NaN at step 4')).toBe('WARN');
    expect(levelOf('Warn retrying')).toBe('WARN');
    expect(levelOf('error: out of memory')).toBe('ERROR');
    expect(levelOf('warmup done, errors 0')).toBe('INFO');
  });
});

describe.each(databaseTargets())('the run log writer on the $name PostgreSQL', (target) => {
  let database: TestDatabase;
  useApiOnFreshDatabase(target, (fresh) => ({ database } = fresh));

  const stored = (runId: string) =>
    database.db.runLog.findMany({ where: { runId }, orderBy: { seq: 'asc' } });

  it(`keeps the newest ${RUN_LOG_RETENTION} lines of a run, numbered on across reopenings`, async () => {
    const run = await queueSelftest(database.db, { size: 8 });
    const total = RUN_LOG_RETENTION + 1500;
    let log = await RunLog.open(database.db, run.id);
    for (let i = 1; i <= total; i++) {
      if (i === 6000) log = await RunLog.open(database.db, run.id); // a second attempt
      log.add('INFO', `line ${i}`);
      if (i % MAX_PENDING_LINES === 0) await log.flush();
      // Flushed before reopening, as the worker's reporter does when an attempt ends.
      if (i === 5999) await log.flush();
    }
    await log.flush();
    const lines = await stored(run.id);
    expect(lines).toHaveLength(RUN_LOG_RETENTION);
    expect(lines[0]).toMatchObject({ seq: total - RUN_LOG_RETENTION + 1 });
    expect(lines.at(-1)).toMatchObject({ seq: total, message: `line ${total}`, level: 'INFO' });
    expect(lines.every((line, i) => line.seq === lines[0]!.seq + i)).toBe(true);
  }, 60_000);

  it('drops what a job logs past the pending limit and says how many', async () => {
    const run = await queueSelftest(database.db, { size: 9 });
    const log = await RunLog.open(database.db, run.id);
    for (let i = 0; i < MAX_PENDING_LINES + 5; i++) log.add('INFO', `flood ${i}`);
    await log.flush();
    const lines = await stored(run.id);
    expect(lines).toHaveLength(MAX_PENDING_LINES + 1);
    expect(lines.at(-1)).toMatchObject({
      level: 'WARN',
      message: `5 log lines dropped: the job logged more than ${MAX_PENDING_LINES} lines between two writes`,
    });
  });

  it('stores text Postgres refuses as is (NUL) and cuts very long messages', async () => {
    const run = await queueSelftest(database.db, { size: 10 });
    const log = await RunLog.open(database.db, run.id);
    log.add('WARN', 'a\u0000b');
    log.add('INFO', 'y'.repeat(MAX_MESSAGE_CHARS + 10));
    await log.flush();
    const [nul, long] = await stored(run.id);
    expect(nul!.message).toBe('a\uFFFDb');
    expect(long!.message).toHaveLength(MAX_MESSAGE_CHARS);
    expect(long!.message.endsWith('…')).toBe(true);
  });

  it('numbers on after a reopening, and writes nothing for a deleted run', async () => {
    const run = await queueSelftest(database.db, { size: 11 });
    const log = await RunLog.open(database.db, run.id);
    log.add('INFO', 'once');
    await log.flush();
    const again = await RunLog.open(database.db, run.id);
    expect((await stored(run.id)).map((l) => l.seq)).toEqual([1]);
    again.add('INFO', 'second');
    await again.flush();
    expect((await stored(run.id)).map((l) => l.message)).toEqual(['once', 'second']);
    await database.db.run.delete({ where: { id: run.id } });
    again.add('INFO', 'after the delete');
    await again.flush();
    expect(await stored(run.id)).toEqual([]);
  });
});
