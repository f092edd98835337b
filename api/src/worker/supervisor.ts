import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/** How a supervised worker process ended, as the log and the workers view say it. */
export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `killed by ${signal}` : `exited with code ${code}`;
}

export interface SupervisorOptions {
  /** Starts one worker process. */
  spawn: () => ChildProcess;
  /** Records a death (the worker's row, its run requeued); returns what the log should add. */
  recordDeath: (pid: number, reason: string) => Promise<string>;
  log: (line: string) => void;
  /** Exit codes that a restart cannot cure (no adapter): the worker stays down, with `reason`. */
  finalExits?: ReadonlyMap<number, string>;
  /** The first restart's delay, doubled after each death up to `maxDelayMs`. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** A worker that ran this long before dying restarts after `initialDelayMs` again. */
  stableAfterMs?: number;
}

/**
 * Keeps one worker process running: when it dies (a crash, `kill -9`, the OOM killer), the death
 * is recorded and logged and the worker restarted after a delay that doubles with each quick
 * death, so a worker that cannot start does not spin. Stopping it stops the worker for good.
 */
export class WorkerSupervisor {
  private child: ChildProcess | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private quickDeaths = 0;
  /** Restarts so far. */
  restarts = 0;

  constructor(private readonly options: SupervisorOptions) {}

  start(): void {
    const child = this.options.spawn();
    const startedAt = Date.now();
    this.child = child;
    child.once('exit', (code, signal) => this.exited(child, code, signal, startedAt));
  }

  /** The running worker's process id, if one runs. */
  get pid(): number | undefined {
    return this.child?.exitCode === null && this.child.signalCode === null
      ? this.child.pid
      : undefined;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }

  private exited(
    child: ChildProcess,
    code: number | null,
    signal: NodeJS.Signals | null,
    startedAt: number,
  ): void {
    if (this.stopping) return;
    const { log, finalExits, recordDeath } = this.options;
    const final = code === null ? undefined : finalExits?.get(code);
    if (final !== undefined) {
      log(`lab: ${final}`);
      return;
    }
    const initialDelayMs = this.options.initialDelayMs ?? 1000;
    const maxDelayMs = this.options.maxDelayMs ?? 30_000;
    if (Date.now() - startedAt >= (this.options.stableAfterMs ?? 60_000)) this.quickDeaths = 0;
    const delayMs = Math.min(maxDelayMs, initialDelayMs * 2 ** this.quickDeaths);
    this.quickDeaths++;
    const reason = describeExit(code, signal);
    const pid = child.pid ?? -1;
    const recorded = recordDeath(pid, reason).catch(
      (error: unknown) => `(its death could not be recorded: ${(error as Error).message})`,
    );
    void recorded.then((detail) => {
      if (this.stopping) return;
      log(
        `lab: the worker (pid ${pid}) died (${reason})${detail ? `; ${detail}` : ''}; ` +
          `restarting it in ${delayMs / 1000} s`,
      );
      this.restartTimer = setTimeout(() => {
        if (this.stopping) return;
        this.restarts++;
        log(`lab: restarting the worker (restart ${this.restarts})`);
        this.start();
      }, delayMs);
    });
  }
}
