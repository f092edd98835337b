/**
 * WGSL for the adapter's arithmetic ceiling: every invocation runs CHAINS independent chains of
 * vec4 FMAs for `iterations` steps (a uniform, so nothing is unrolled or folded at compile time)
 * and writes their sum, so the compiler cannot drop them. Independent chains hide the FMA latency;
 * x = x * 0.999 + 0.001 stays near 1, clear of overflow and of denormals (slow on CPUs).
 */

export type FmaDtype = 'f32' | 'f16';

export const FMA_WORKGROUP_SIZE = 64;
const CHAINS = 8;
const LANES_PER_CHAIN = 4;
/** FMAs each invocation does per loop iteration. */
export const FMAS_PER_ITERATION = CHAINS * LANES_PER_CHAIN;

/** Byte layout of the shader's `Params` uniform: iterations (u32), multiplier, addend (f32). */
export const FMA_PARAMS_BYTES = 16;

const CHAIN_INDICES = Array.from({ length: CHAINS }, (_, chain) => chain);

export function fmaShader(dtype: FmaDtype): string {
  const vector = `vec4<${dtype}>`;
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
${CHAIN_INDICES.map((chain) => `  var acc${chain} = ${vector}(seed) + ${vector}(${startingOffsets(chain)});`).join('\n')}
  for (var step = 0u; step < params.iterations; step++) {
${CHAIN_INDICES.map((chain) => `    acc${chain} = fma(acc${chain}, multiplier, addend);`).join('\n')}
  }
  let total = ${CHAIN_INDICES.map((chain) => `acc${chain}`).join(' + ')};
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
