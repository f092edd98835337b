import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { WorkerSupervisor } from '../../src/worker/supervisor.ts';

/** A real child process that exits with `code` after `ms`, or runs until killed. */
const child = (code: number | 'forever', ms = 0) =>
  spawn(
    process.execPath,
    [
      '-e',
      code === 'forever'
        ? 'setInterval(() => {}, 1000)'
        : `setTimeout(() => process.exit(${code}), ${ms})`,
    ],
    { stdio: 'ignore' },
  );

async function until(probe: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the worker supervisor', () => {
  it('records each death, restarts with doubling delays, and stops for good', async () => {
    const lines: string[] = [];
    const deaths: { pid: number; reason: string }[] = [];
    const startedAt: number[] = [];
    const supervisor = new WorkerSupervisor({
      spawn: () => {
        startedAt.push(Date.now());
        return startedAt.length <= 3 ? child(7) : child('forever');
      },
      recordDeath: (pid, reason) => {
        deaths.push({ pid, reason });
        return Promise.resolve(`run r${deaths.length} queued again`);
      },
      log: (line) => lines.push(line),
      initialDelayMs: 100,
      maxDelayMs: 250,
    });
    supervisor.start();
    await until(() => startedAt.length === 4);
    expect(deaths.map((death) => death.reason)).toEqual(Array(3).fill('exited with code 7'));
    expect(lines[0]).toMatch(
      new RegExp(
        `^lab: the worker \\(pid ${deaths[0]!.pid}\\) died \\(exited with code 7\\); run r1 queued again; restarting it in 0.1 s$`,
      ),
    );
    expect(
      lines.filter((line) => /restarting it in/.test(line)).map((line) => line.split(' in ')[1]),
    ).toEqual([
      '0.1 s',
      '0.2 s',
      '0.25 s', // doubled, then capped at maxDelayMs
    ]);
    const gaps = startedAt.slice(1).map((time, index) => time - startedAt[index]!);
    expect(gaps[1]!).toBeGreaterThanOrEqual(200);
    expect(supervisor.restarts).toBe(3);

    // A kill -9 is a death like any other.
    const running = supervisor.pid!;
    process.kill(running, 'SIGKILL');
    await until(() => deaths.length === 4);
    expect(deaths[3]).toEqual({ pid: running, reason: 'killed by SIGKILL' });
    await until(() => startedAt.length === 5);

    // Stopping ends the worker with SIGTERM, records no death and restarts nothing.
    const last = supervisor.pid!;
    await supervisor.stop();
    expect(() => process.kill(last, 0)).toThrow();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(deaths).toHaveLength(4);
    expect(startedAt).toHaveLength(5);
  });

  it('leaves a worker down after an exit a restart cannot cure', async () => {
    const lines: string[] = [];
    let spawned = 0;
    const supervisor = new WorkerSupervisor({
      spawn: () => {
        spawned++;
        return child(3);
      },
      recordDeath: () => Promise.reject(new Error('not expected')),
      log: (line) => lines.push(line),
      finalExits: new Map([[3, 'running without a worker: no adapter']]),
      initialDelayMs: 10,
    });
    supervisor.start();
    await until(() => lines.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(lines).toEqual(['lab: running without a worker: no adapter']);
    expect(spawned).toBe(1);
    await supervisor.stop();
  });
});
