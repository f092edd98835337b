/**
 * A WebAssembly SIMD loop that reads memory as fast as one core can: 64 bytes an iteration into
 * four independent 128-bit integer accumulators (integer adds, so no floating-point latency
 * chain limits it). Hand-assembled because it is 90 bytes and no dependency is worth adding for
 * it; its text form:
 *
 *   (module
 *     (memory (export "memory") PAGES)
 *     (func (export "sum") (param $at i32) (param $bytes i32) (result i32)
 *       (local $end i32) (local $a v128) (local $b v128) (local $c v128) (local $d v128)
 *       (local.set $end (i32.add (local.get $at) (local.get $bytes)))
 *       (block $done (loop $next
 *         (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
 *         (local.set $a (i32x4.add (local.get $a) (v128.load offset=0 (local.get $at))))
 *         (local.set $b (i32x4.add (local.get $b) (v128.load offset=16 (local.get $at))))
 *         (local.set $c (i32x4.add (local.get $c) (v128.load offset=32 (local.get $at))))
 *         (local.set $d (i32x4.add (local.get $d) (v128.load offset=48 (local.get $at))))
 *         (local.set $at (i32.add (local.get $at) (i32.const 64)))
 *         (br $next)))
 *       (i32x4.extract_lane 0 (i32x4.add (i32x4.add (local.get $a) (local.get $b))
 *                                        (i32x4.add (local.get $c) (local.get $d))))))
 *
 * `sum(at, bytes)` with `bytes` a multiple of 64 returns lane 0 of the four accumulators' sum:
 * the wrapping sum of every fourth 32-bit word from `at` (what the tests check).
 */

/** WebAssembly pages are 64 KiB. */
export const WASM_PAGE_BYTES = 65_536;

function uleb128(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  do {
    let byte = rest & 0x7f;
    rest >>>= 7;
    if (rest !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (rest !== 0);
  return bytes;
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb128(content.length), ...content];
}

function name(text: string): number[] {
  return [text.length, ...Array.from(text, (char) => char.charCodeAt(0))];
}

const I32 = 0x7f;
const V128 = 0x7b;
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const SIMD = 0xfd;
const V128_LOAD = 0x00;
const I32X4_ADD = [0xae, 0x01];
const I32X4_EXTRACT_LANE = 0x1b;

/** `local.set acc (i32x4.add (local.get acc) (v128.load offset (local.get 0)))` */
function accumulate(accumulator: number, offset: number): number[] {
  return [
    LOCAL_GET,
    accumulator,
    LOCAL_GET,
    0,
    SIMD,
    V128_LOAD,
    4, // alignment 2^4
    ...uleb128(offset),
    SIMD,
    ...I32X4_ADD,
    LOCAL_SET,
    accumulator,
  ];
}

const SUM_BODY = [
  2, // local declarations: 1 x i32 ($end = 2), 4 x v128 ($a..$d = 3..6)
  1,
  I32,
  4,
  V128,
  ...[LOCAL_GET, 0, LOCAL_GET, 1, 0x6a /* i32.add */, LOCAL_SET, 2],
  ...[0x02, 0x40 /* block */, 0x03, 0x40 /* loop */],
  ...[LOCAL_GET, 0, LOCAL_GET, 2, 0x4f /* i32.ge_u */, 0x0d, 1 /* br_if $done */],
  ...accumulate(3, 0),
  ...accumulate(4, 16),
  ...accumulate(5, 32),
  ...accumulate(6, 48),
  ...[LOCAL_GET, 0, 0x41, ...[0xc0, 0x00] /* i32.const 64 */, 0x6a, LOCAL_SET, 0],
  ...[0x0c, 0 /* br $next */, 0x0b /* end loop */, 0x0b /* end block */],
  ...[LOCAL_GET, 3, LOCAL_GET, 4, SIMD, ...I32X4_ADD],
  ...[LOCAL_GET, 5, LOCAL_GET, 6, SIMD, ...I32X4_ADD],
  ...[SIMD, ...I32X4_ADD, SIMD, I32X4_EXTRACT_LANE, 0],
  0x0b, // end function
];

/** The module's bytes, with a memory of `pages` pages. */
export function readKernelModule(pages: number): Uint8Array {
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // "\0asm", version 1
    ...section(1, [1, 0x60, 2, I32, I32, 1, I32]), // type 0: (i32, i32) -> i32
    ...section(3, [1, 0]), // function 0 has type 0
    ...section(5, [1, 0x00, ...uleb128(pages)]), // one memory, minimum `pages`
    ...section(7, [2, ...name('memory'), 0x02, 0, ...name('sum'), 0x00, 0]),
    ...section(10, [1, ...uleb128(SUM_BODY.length), ...SUM_BODY]),
  ];
  return Uint8Array.from(bytes);
}

/** The part of the WebAssembly global used here (the project's type libraries do not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}

export const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export interface ReadKernel {
  readonly memory: { buffer: ArrayBuffer };
  sum(at: number, bytes: number): number;
}

/** An instance of the read loop over its own memory of at least `bytes` bytes. */
export function instantiateReadKernel(bytes: number): ReadKernel {
  const pages = Math.ceil(bytes / WASM_PAGE_BYTES);
  const { exports } = new wasm.Instance(new wasm.Module(readKernelModule(pages)));
  return {
    memory: exports.memory as { buffer: ArrayBuffer },
    sum: exports.sum as (at: number, bytes: number) => number,
  };
}
