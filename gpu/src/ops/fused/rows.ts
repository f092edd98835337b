/**
 * Fuses, row by row: embedding (embedTokens, gatherRows), rmsNorm (rmsNormRows), swiglu of
 * stacked halves (swigluHalves), add (addInPlace).
 * Checked against those ops' forward in gpu/test/ops/fused/.
 */
import type { Engine } from '../../runtime/engine.ts';
import type { Tensor } from '../../tensor/tensor.ts';
import { runKernel, type KernelDefinition } from '../../kernel/kernel.ts';
import { grid, perElement, perRow } from '../../kernel/wgsl.ts';
import { blockSpans, type RowBlocks } from '../../kernel/row-blocks.ts';
import { TOKEN_FIELDS } from './token-batch.ts';
import { LANE_WORKGROUP, type KernelTarget } from '../../kernel/kernel-target.ts';

/**
 * x[t, :] = embeddings[id of token t, :] for the tokens whose ids fall in this block of the
 * embeddings (rows `first` on); ids every `fields` entries (a token table's, or a list).
 */
const embedKernel: KernelDefinition = {
  name: 'inference embed',
  params: { count: 'u32', columns: 'u32', fields: 'u32', first: 'u32', blockRows: 'u32' },
  inputs: ['embeddings', 'tokens'],
  outputs: ['x'],
  main: perElement(`
  let token = index / params.columns;
  let id = u32(tokens[token * params.fields]);
  if (id < params.first || id - params.first >= params.blockRows) { return; }
  x[index] = f32(embeddings[(id - params.first) * params.columns + index % params.columns]);`),
};

/**
 * Rows of `x` from the ids in `tokens`: a packed token table, or with `fields` 1 a list of ids.
 * One dispatch per block of the embeddings, each filling the rows whose ids it holds.
 */
export function embedTokens(
  engine: Engine,
  embeddings: RowBlocks,
  tokens: Tensor,
  x: Tensor,
  fields = TOKEN_FIELDS,
): void {
  const [count, columns] = x.shape as [number, number];
  const spans = blockSpans(embeddings);
  embeddings.blocks.forEach((block, index) => {
    runKernel(engine, embedKernel, {
      operation: `embed ${count} tokens`,
      inputs: [block, tokens],
      outputs: [x],
      params: {
        count: count * columns,
        columns,
        fields,
        first: spans[index]!.first,
        blockRows: spans[index]!.rows,
      },
      workgroups: grid(count * columns),
    });
  });
}

/** y[r, :] = RMSNorm(x[r, :]) * weight, the sum of squares accumulated in f32 as Hugging Face does. */
const rmsNormRowsKernel: KernelDefinition = {
  name: 'inference rmsNorm',
  params: { rows: 'u32', columns: 'u32', eps: 'f32' },
  inputs: ['x', 'weight'],
  outputs: ['y'],
  main: perRow(`
  let base = row * params.columns;
  var local = 0.0;
  for (var c = lane; c < params.columns; c += LANES) { local += x[base + c] * x[base + c]; }
  let r = inverseSqrt(workgroupSum(local, lane) / f32(params.columns) + params.eps);
  for (var c = lane; c < params.columns; c += LANES) { y[base + c] = weight[c] * (x[base + c] * r); }`),
};

/**
 * The same for CPU adapters: one invocation per row, in workgroups of 8 (a SIMD register on
 * lavapipe), reading the row twice as vec4s. Workgroup barriers cost lavapipe more than the
 * arithmetic: the workgroup form took about 0.12 ms per decode-step norm.
 */
const rmsNormLanesKernel: KernelDefinition = {
  name: 'inference rmsNorm per lane',
  params: { count: 'u32', columns: 'u32', eps: 'f32' },
  inputs: ['x', 'weight'],
  outputs: ['y'],
  elementTypes: { x: 'vec4', weight: 'vec4', y: 'vec4' },
  main: perElement(
    `
  let vectors = params.columns / 4u;
  let base = index * vectors;
  var squares = vec4f(0.0);
  for (var c = 0u; c < vectors; c++) { squares += x[base + c] * x[base + c]; }
  let r = inverseSqrt(dot(squares, vec4f(1.0)) / f32(params.columns) + params.eps);
  for (var c = 0u; c < vectors; c++) { y[base + c] = weight[c] * (x[base + c] * r); }`,
    '',
    LANE_WORKGROUP,
  ),
};

export function rmsNormRows(
  engine: Engine,
  target: KernelTarget,
  x: Tensor,
  weight: Tensor,
  y: Tensor,
  rows: number,
  eps: number,
): void {
  const columns = weight.size;
  if (target === 'cpu' && columns % 4 === 0) {
    runKernel(engine, rmsNormLanesKernel, {
      operation: `rmsNorm of ${rows} x ${columns}`,
      inputs: [x, weight],
      outputs: [y],
      params: { count: rows, columns, eps },
      workgroups: grid(rows, LANE_WORKGROUP),
    });
    return;
  }
  runKernel(engine, rmsNormRowsKernel, {
    operation: `rmsNorm of ${rows} x ${columns}`,
    inputs: [x, weight],
    outputs: [y],
    params: { rows, columns, eps },
    workgroups: grid(rows, 1),
  });
}

/** y[r, :] = x[rows[r], :]: the rows whose logits are wanted. */
const gatherRowsKernel: KernelDefinition = {
  name: 'inference gather rows',
  params: { count: 'u32', columns: 'u32' },
  inputs: ['x', 'rows'],
  outputs: ['y'],
  main: perElement(`
  let row = u32(rows[index / params.columns]);
  y[index] = x[row * params.columns + index % params.columns];`),
};

export function gatherRows(engine: Engine, x: Tensor, rows: Tensor, y: Tensor): void {
  const columns = x.shape[1]!;
  runKernel(engine, gatherRowsKernel, {
    operation: `gather ${rows.size} rows of ${columns}`,
    inputs: [x, rows],
    outputs: [y],
    params: { count: rows.size * columns, columns },
    workgroups: grid(rows.size * columns),
  });
}

/** wide[t, first + c] = source[t, c]: one block's columns into their place in a wider matrix. */
const placeColumnsKernel: KernelDefinition = {
  name: 'inference place columns',
  params: { count: 'u32', width: 'u32', wideWidth: 'u32', first: 'u32' },
  inputs: ['source'],
  outputs: ['wide'],
  main: perElement(`
  let row = index / params.width;
  wide[row * params.wideWidth + params.first + index % params.width] = source[index];`),
};

export function placeColumns(engine: Engine, source: Tensor, wide: Tensor, first: number): void {
  const [rows, width] = source.shape as [number, number];
  runKernel(engine, placeColumnsKernel, {
    operation: `place ${rows} x ${width} at column ${first}`,
    inputs: [source],
    outputs: [wide],
    params: { count: rows * width, width, wideWidth: wide.shape[1]!, first },
    workgroups: grid(rows * width),
  });
}

/**
 * y = silu(gate) * up, where each row of `gateUp` holds the gate half then, `upOffset` columns in,
 * the up half (upOffset: the width, or more where lane-block padding sits between the halves).
 */
const swigluHalvesKernel: KernelDefinition = {
  name: 'inference swiglu halves',
  params: { count: 'u32', width: 'u32', rowWidth: 'u32', upOffset: 'u32' },
  inputs: ['gateUp'],
  outputs: ['y'],
  main: perElement(`
  let row = index / params.width;
  let column = index % params.width;
  let gate = gateUp[row * params.rowWidth + column];
  let up = gateUp[row * params.rowWidth + params.upOffset + column];
  y[index] = gate / (1.0 + exp(-gate)) * up;`),
};

export function swigluHalves(
  engine: Engine,
  gateUp: Tensor,
  y: Tensor,
  rows: number,
  upOffset = y.shape[1]!,
): void {
  const width = y.shape[1]!;
  runKernel(engine, swigluHalvesKernel, {
    operation: `swiglu of ${rows} x ${width}`,
    inputs: [gateUp],
    outputs: [y],
    params: { count: rows * width, width, rowWidth: gateUp.shape[1]!, upOffset },
    workgroups: grid(rows * width),
  });
}

/** x += y (+ bias per column), in place: residual connections; or x += bias alone. */
const addInPlaceKernel: KernelDefinition = {
  name: 'inference residual add',
  params: { count: 'u32', columns: 'u32', hasBias: 'u32', biasOnly: 'u32' },
  inputs: ['y', 'bias'],
  outputs: ['x'],
  main: perElement(`
  var value = 0.0;
  if (params.biasOnly == 0u) { value = y[index]; }
  if (params.hasBias == 1u) { value += bias[index % params.columns]; }
  x[index] += value;`),
};

/** x += y + bias (a residual connection), or with no `y` x += bias; the bias is optional. */
export function addInPlace(
  engine: Engine,
  x: Tensor,
  y: Tensor | undefined,
  bias: Tensor | undefined,
  placeholder: Tensor,
  rows: number,
): void {
  const columns = x.shape[1]!;
  runKernel(engine, addInPlaceKernel, {
    operation: `residual add ${rows} x ${columns}`,
    inputs: [y ?? placeholder, bias ?? placeholder],
    outputs: [x],
    params: {
      count: rows * columns,
      columns,
      hasBias: bias ? 1 : 0,
      biasOnly: y ? 0 : 1,
    },
    workgroups: grid(rows * columns),
  });
}
