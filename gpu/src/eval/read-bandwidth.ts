import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { readKernelModule, WASM_PAGE_BYTES, wasm } from './read-bandwidth-kernel.ts';

/**
 * The host's memory read bandwidth, measured as the decode benchmarks need it: the limit a
 * weight-streaming decode step on a CPU adapter (lavapipe) cannot beat. Each thread streams its
 * own buffer, far larger than the caches, through the SIMD read loop of read-bandwidth-kernel.ts;
 * the threads start each pass together and a pass's bandwidth is every thread's bytes over the
 * slowest thread's time. The best pass is reported: on a shared machine it is the one least
 * disturbed by other work, as the peers' figures are.
 */
export interface ReadBandwidth {
  threads: number;
  /** Bytes each thread read a pass. */
  bytesPerThread: number;
  passes: number;
  /** All threads' bytes over the slowest thread's seconds, best pass, in GB/s (1e9 bytes). */
  gbS: number;
}

export interface ReadBandwidthOptions {
  threads?: number;
  /** Per thread; rounded up to whole 64 KiB pages (default 256 MiB). */
  bytesPerThread?: number;
  passes?: number;
}

const DEFAULT_BYTES_PER_THREAD = 256 * 1024 * 1024;
const DEFAULT_PASSES = 5;

/**
 * The worker's program, evaluated as CommonJS: it fills its memory (so every page is mapped
 * before timing), then times one pass of the read loop each time it is told to.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { memory, sum } = new WebAssembly.Instance(workerData.module).exports;
new Int32Array(memory.buffer).fill(1);
let sink = 0;
parentPort.on('message', (bytes) => {
  const started = performance.now();
  sink = (sink + sum(0, bytes)) | 0;
  parentPort.postMessage({ ms: performance.now() - started, sink });
});
parentPort.postMessage('ready');
`;

function nextMessage<T>(worker: Worker): Promise<T> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    worker.once('error', onError);
    worker.once('message', (message: T) => {
      worker.off('error', onError);
      resolve(message);
    });
  });
}

function checkPositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${name} must be a positive integer, got ${value}`);
}

/** Streams `bytesPerThread` on each of `threads` threads, `passes` times; see ReadBandwidth. */
export async function measureReadBandwidth(
  options: ReadBandwidthOptions = {},
): Promise<ReadBandwidth> {
  const threads = options.threads ?? 1;
  const passes = options.passes ?? DEFAULT_PASSES;
  const requested = options.bytesPerThread ?? DEFAULT_BYTES_PER_THREAD;
  checkPositiveInteger('threads', threads);
  checkPositiveInteger('passes', passes);
  checkPositiveInteger('bytesPerThread', requested);
  const pages = Math.ceil(requested / WASM_PAGE_BYTES);
  const bytesPerThread = pages * WASM_PAGE_BYTES;
  const module = new wasm.Module(readKernelModule(pages));
  const workers = Array.from(
    { length: threads },
    () => new Worker(WORKER_SOURCE, { eval: true, workerData: { module } }),
  );
  try {
    await Promise.all(workers.map((worker) => nextMessage<string>(worker)));
    let best = 0;
    for (let pass = 0; pass < passes; pass++) {
      const replies = workers.map((worker) => nextMessage<{ ms: number }>(worker));
      for (const worker of workers) worker.postMessage(bytesPerThread);
      const slowestMs = Math.max(...(await Promise.all(replies)).map(({ ms }) => ms));
      best = Math.max(best, (threads * bytesPerThread) / (slowestMs / 1000) / 1e9);
    }
    return { threads, bytesPerThread, passes, gbS: best };
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

export interface HostReadBandwidth {
  /** One thread, as lavapipe computes with `--cpu-threads 1`. */
  oneThread: ReadBandwidth;
  /** Every core the process may use. */
  allThreads: ReadBandwidth;
  /** The better of the two (on a loaded machine more threads can read less): the limit. */
  limitGbS: number;
}

/** The host's read bandwidth on one thread and on every available core, measured now. */
export async function measureHostReadBandwidth(
  options: Omit<ReadBandwidthOptions, 'threads'> = {},
): Promise<HostReadBandwidth> {
  const oneThread = await measureReadBandwidth({ ...options, threads: 1 });
  const cores = availableParallelism();
  const allThreads =
    cores === 1 ? oneThread : await measureReadBandwidth({ ...options, threads: cores });
  return { oneThread, allThreads, limitGbS: Math.max(oneThread.gbS, allThreads.gbS) };
}
