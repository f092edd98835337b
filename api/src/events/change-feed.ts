import pg from 'pg';
import { AsyncQueue } from './async-queue.ts';

export const RUN_UPDATED_CHANNEL = 'factorlab_run_updated';
export const METRICS_APPENDED_CHANNEL = 'factorlab_metrics_appended';
export const LOGS_APPENDED_CHANNEL = 'factorlab_logs_appended';
/** A worker's row or the runs it holds changed; the payload is the worker's id, not a run's. */
export const WORKER_UPDATED_CHANNEL = 'factorlab_worker_updated';
const CHANNELS = [
  RUN_UPDATED_CHANNEL,
  METRICS_APPENDED_CHANNEL,
  LOGS_APPENDED_CHANNEL,
  WORKER_UPDATED_CHANNEL,
] as const;
export type Channel = (typeof CHANNELS)[number];

const RECONNECT_MS = 1000;

/**
 * One LISTEN connection per API process, fanned out to any number of subscribers by run id. Since
 * Postgres carries the notifications, every API process sees changes made by any process.
 */
export class ChangeFeed {
  private readonly subscribers = new Map<string, Set<AsyncQueue<void>>>();
  /** Subscribers to one channel for every run; each notification carries its run id. */
  private readonly everyRun = new Map<Channel, Set<AsyncQueue<string>>>();
  private client: pg.Client | null = null;
  private stopped = false;

  constructor(private readonly databaseUrl: string) {}

  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.databaseUrl });
    client.on('notification', ({ channel, payload }) => {
      if (payload) this.dispatch(channel as Channel, payload);
    });
    client.on('error', (error) => {
      console.error(`[api] change feed connection lost (${error.message}); reconnecting`);
      this.reconnectLater();
    });
    await client.connect();
    for (const channel of CHANNELS) await client.query(`LISTEN ${channel}`);
    this.client = client;
  }

  /** Notifications of one run on one channel, from now until the iterator is returned. */
  subscribe(channel: Channel, runId: string): AsyncQueue<void> {
    const key = `${channel}:${runId}`;
    const queue: AsyncQueue<void> = new AsyncQueue(() => {
      const set = this.subscribers.get(key);
      set?.delete(queue);
      if (set?.size === 0) this.subscribers.delete(key);
    });
    let set = this.subscribers.get(key);
    if (!set) this.subscribers.set(key, (set = new Set()));
    set.add(queue);
    return queue;
  }

  /** The id of every run notified on one channel, from now until the iterator is returned. */
  subscribeAll(channel: Channel): AsyncQueue<string> {
    const queue: AsyncQueue<string> = new AsyncQueue(() => {
      const set = this.everyRun.get(channel);
      set?.delete(queue);
      if (set?.size === 0) this.everyRun.delete(channel);
    });
    let set = this.everyRun.get(channel);
    if (!set) this.everyRun.set(channel, (set = new Set()));
    set.add(queue);
    return queue;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const set of this.subscribers.values()) for (const queue of set) void queue.return();
    for (const set of this.everyRun.values()) for (const queue of set) void queue.return();
    await this.client?.end().catch(() => {});
  }

  private dispatch(channel: Channel, runId: string): void {
    for (const queue of this.subscribers.get(`${channel}:${runId}`) ?? []) queue.push();
    for (const queue of this.everyRun.get(channel) ?? []) queue.push(runId);
  }

  private reconnectLater(): void {
    this.client = null;
    if (this.stopped) return;
    setTimeout(() => {
      if (this.stopped) return;
      // Subscribers may have missed changes while disconnected: wake them all to re-read.
      this.start()
        .then(() => {
          for (const set of this.subscribers.values()) for (const queue of set) queue.push();
          // Whole-channel subscribers hear of the miss as a notification with no run id.
          for (const set of this.everyRun.values()) for (const queue of set) queue.push('');
        })
        .catch(() => this.reconnectLater());
    }, RECONNECT_MS).unref();
  }
}
