import { describe, expect, it } from 'vitest';
import {
  instantiateReadKernel,
  readKernelModule,
  WASM_PAGE_BYTES,
} from '../../src/eval/read-bandwidth-kernel.ts';
import { measureHostReadBandwidth, measureReadBandwidth } from '../../src/eval/read-bandwidth.ts';
import { seededRandom } from '../../src/util/random.ts';

/** The kernel's result computed in JavaScript: the wrapping sum of every fourth word from `at`. */
function expectedSum(words: Int32Array, at: number, bytes: number): number {
  let sum = 0;
  for (let word = at / 4; word < (at + bytes) / 4; word += 4) sum = (sum + words[word]!) | 0;
  return sum;
}

describe('the read-bandwidth kernel', () => {
  it('is a valid WebAssembly module whose memory has the pages asked for', () => {
    const validate = (
      globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }
    ).WebAssembly.validate;
    expect(validate(readKernelModule(3))).toBe(true);
    expect(instantiateReadKernel(2 * WASM_PAGE_BYTES + 1).memory.buffer.byteLength).toBe(
      3 * WASM_PAGE_BYTES,
    );
  });

  it.each([
    [0, 64],
    [128, 64 * 37],
    [64, WASM_PAGE_BYTES - 128],
  ])('reads every byte from %i for %i bytes (checked by a plain sum)', (at, bytes) => {
    const kernel = instantiateReadKernel(WASM_PAGE_BYTES);
    const words = new Int32Array(kernel.memory.buffer);
    const random = seededRandom(at + bytes);
    for (let index = 0; index < words.length; index++)
      words[index] = Math.floor((random() - 0.5) * 2 ** 32);
    expect(kernel.sum(at, bytes)).toBe(expectedSum(words, at, bytes));
    // A change in the last 64-byte block read changes the result: the loop reaches the end.
    words[(at + bytes) / 4 - 4] = (words[(at + bytes) / 4 - 4]! + 1) | 0;
    expect(kernel.sum(at, bytes)).toBe(expectedSum(words, at, bytes));
  });
});

describe('measureReadBandwidth', () => {
  it('streams whole pages on each thread and reports the best pass', async () => {
    const measured = await measureReadBandwidth({
      threads: 2,
      bytesPerThread: 100_000,
      passes: 2,
    });
    expect(measured).toMatchObject({ threads: 2, bytesPerThread: 2 * WASM_PAGE_BYTES, passes: 2 });
    expect(Number.isFinite(measured.gbS) && measured.gbS > 0).toBe(true);
  });

  it('gives the better of one thread and every core as the limit', async () => {
    const host = await measureHostReadBandwidth({ bytesPerThread: WASM_PAGE_BYTES, passes: 1 });
    expect(host.oneThread.threads).toBe(1);
    expect(host.limitGbS).toBe(Math.max(host.oneThread.gbS, host.allThreads.gbS));
  });

  it.each([
    [{ threads: 0 }, 'threads must be a positive integer, got 0'],
    [{ passes: 1.5 }, 'passes must be a positive integer, got 1.5'],
    [{ bytesPerThread: -1 }, 'bytesPerThread must be a positive integer, got -1'],
  ])('refuses %j', async (options, message) => {
    await expect(measureReadBandwidth(options)).rejects.toThrow(message);
  });
});
