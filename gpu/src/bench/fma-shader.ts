/**
 * WGSL for the adapter's arithmetic ceiling: every invocation runs `chains` independent chains of
 * vec4 FMAs, `depth` dependent FMAs per chain and loop step, for `iterations` steps (a uniform,
 * so nothing is unrolled or folded at compile time) and writes their sum, so the compiler cannot
 * drop them. Independent chains hide the FMA latency; x = x * 0.999 + 0.001 stays near 1, clear
 * of overflow and of denormals (slow on CPUs).
 */

export type FmaDtype = 'f32' | 'f16';

/** How one invocation's FMAs are arranged: independent chains, and FMAs per chain per step. */
export interface FmaShape {
  chains: number;
  depth: number;
}

/**
 * The arrangements measured; the fastest is the ceiling. Eight chains one FMA deep suit GPUs.
 * CPU adapters (llvmpipe) blend every assignment made inside a loop with the lanes' execution
 * mask and split each FMA into a multiply and an add, so there a chain that takes four FMAs per
 * assignment runs 1.3-1.5x faster (measured on lavapipe, 2026-12-01): without it the ceiling
 * would be the blend's, and a kernel that chains its FMAs (the matmuls do) could pass it.
 */
export const FMA_SHAPES: readonly FmaShape[] = [
  { chains: 8, depth: 1 },
  { chains: 4, depth: 4 },
];

export const FMA_WORKGROUP_SIZE = 64;
const LANES_PER_CHAIN = 4;

/** FMAs each invocation does per loop iteration. */
export function fmasPerIteration({ chains, depth }: FmaShape): number {
  return chains * depth * LANES_PER_CHAIN;
}

/** Byte layout of the shader's `Params` uniform: iterations (u32), multiplier, addend (f32). */
export const FMA_PARAMS_BYTES = 16;

export function fmaShader(dtype: FmaDtype, { chains, depth }: FmaShape): string {
  const vector = `vec4<${dtype}>`;
  const chainIndices = Array.from({ length: chains }, (_, chain) => chain);
  const step = (chain: number) =>
    Array.from({ length: depth }).reduce<string>(
      (value) => `fma(${value}, multiplier, addend)`,
      `acc${chain}`,
    );
  return /* wgsl */ `
${dtype === 'f16' ? 'enable f16;' : ''}

struct Params { iterations: u32, multiplier: f32, addend: f32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> sink: array<f32>;

@compute @workgroup_size(${FMA_WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) id: vec3u) {
  let multiplier = ${vector}(${dtype}(params.multiplier));
  let addend = ${vector}(${dtype}(params.addend));
  let seed = ${dtype}(f32(id.x % 256u) / 256.0);
${chainIndices.map((chain) => `  var acc${chain} = ${vector}(seed) + ${vector}(${startingOffsets(chain)});`).join('\n')}
  for (var step = 0u; step < params.iterations; step++) {
${chainIndices.map((chain) => `    acc${chain} = ${step(chain)};`).join('\n')}
  }
  let total = ${chainIndices.map((chain) => `acc${chain}`).join(' + ')};
  sink[id.x] = f32(total.x + total.y + total.z + total.w);
}
`;
}

/** Distinct small offsets per chain and lane, so no two chains compute the same values. */
function startingOffsets(chain: number): string {
  return Array.from(
    { length: LANES_PER_CHAIN },
    (_, lane) => `${(chain * LANES_PER_CHAIN + lane) / 64}`,
  ).join(', ');
}
