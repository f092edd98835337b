import { tensor, type Gpu, type Tensor } from '../../../src/index.ts';

/** A dense SwiGLU FFN in float64: gate and up [f, d], down [d, f]. */
export interface DenseFfn {
  d: number;
  f: number;
  gate: Float64Array;
  up: Float64Array;
  down: Float64Array;
}

const silu = (x: number) => x / (1 + Math.exp(-x));

/** Neuron n's contribution to each output column for token t of `h` [tokens, d]. */
function neuronOutputs(ffn: DenseFfn, h: Float64Array, token: number, neuron: number): number[] {
  const { d, f } = ffn;
  let g = 0;
  let u = 0;
  for (let i = 0; i < d; i++) {
    g += ffn.gate[neuron * d + i]! * h[token * d + i]!;
    u += ffn.up[neuron * d + i]! * h[token * d + i]!;
  }
  const activation = silu(g) * u;
  return Array.from({ length: d }, (_, i) => ffn.down[i * f + neuron]! * activation);
}

/** The summed output [d] of `neurons` for token t: the dense FFN's when they are all of them. */
export function neuronSum(
  ffn: DenseFfn,
  h: Float64Array,
  token: number,
  neurons: readonly number[],
): Float64Array {
  const total = new Float64Array(ffn.d);
  for (const neuron of neurons)
    neuronOutputs(ffn, h, token, neuron).forEach((value, i) => (total[i]! += value));
  return total;
}

/** The dense FFN's output [tokens, d] of `h` [tokens, d]. */
export function denseOutput(ffn: DenseFfn, h: Float64Array, tokens: number): Float64Array {
  const all = [...Array(ffn.f).keys()];
  const output = new Float64Array(tokens * ffn.d);
  for (let t = 0; t < tokens; t++) output.set(neuronSum(ffn, h, t, all), t * ffn.d);
  return output;
}

/**
 * Experts of `neurons` in the layout moe.ts stores them: gate and up [N, d, w], down [N, w, d],
 * w the widest expert, narrower ones zero-padded; as float64 arrays and as tensors.
 */
export function expertLayout(ffn: DenseFfn, experts: readonly (readonly number[])[]) {
  const { d, f } = ffn;
  const width = Math.max(...experts.map((neurons) => neurons.length));
  const count = experts.length;
  const gate = new Float64Array(count * d * width);
  const up = new Float64Array(count * d * width);
  const down = new Float64Array(count * width * d);
  experts.forEach((neurons, expert) =>
    neurons.forEach((neuron, column) => {
      for (let i = 0; i < d; i++) {
        gate[(expert * d + i) * width + column] = ffn.gate[neuron * d + i]!;
        up[(expert * d + i) * width + column] = ffn.up[neuron * d + i]!;
        down[(expert * width + column) * d + i] = ffn.down[i * f + neuron]!;
      }
    }),
  );
  return { width, gate, up, down };
}

/** expertLayout's arrays as f32 tensors. */
export function expertTensors(
  gpu: Gpu,
  ffn: DenseFfn,
  experts: readonly (readonly number[])[],
  requiresGrad = false,
): { gate: Tensor; up: Tensor; down: Tensor } {
  const { width, gate, up, down } = expertLayout(ffn, experts);
  const { d } = ffn;
  const count = experts.length;
  const upload = (values: Float64Array, shape: number[]) =>
    tensor(gpu, Float32Array.from(values), shape, { requiresGrad });
  return {
    gate: upload(gate, [count, d, width]),
    up: upload(up, [count, d, width]),
    down: upload(down, [count, width, d]),
  };
}
