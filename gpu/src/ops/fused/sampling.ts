/**
 * Fuses topK with k 1 (argmaxRows) and softmax with a nucleus draw (sampleTopP; no op samples).
 * Checked against those ops' forward in gpu/test/ops/fused/.
 */
import type { Engine } from '../../runtime/engine.ts';
import type { Tensor } from '../../tensor/tensor.ts';
import { runKernel, type KernelDefinition } from '../../kernel/kernel.ts';
import { grid, perRow, WORKGROUP_SIZE } from '../../kernel/wgsl.ts';

const SHARED_WGSL = /* wgsl */ `
var<workgroup> bestValues: array<f32, ${WORKGROUP_SIZE}>;
var<workgroup> bestIndices: array<u32, ${WORKGROUP_SIZE}>;
var<workgroup> prefix: array<f32, ${WORKGROUP_SIZE + 1}>;`;

/** ids[r] = argmax of logits row r, ties to the lower index (as torch.argmax). */
const argmaxKernel: KernelDefinition = {
  name: 'inference argmax',
  params: { rows: 'u32', columns: 'u32' },
  inputs: ['logits'],
  outputs: ['ids'],
  main: perRow(
    `
  let base = row * params.columns;
  var best = -3.0e38;
  var bestIndex = 0xffffffffu;
  for (var c = lane; c < params.columns; c += LANES) {
    let value = logits[base + c];
    if (value > best || bestIndex == 0xffffffffu) { best = value; bestIndex = c; }
  }
  bestValues[lane] = best;
  bestIndices[lane] = bestIndex;
  workgroupBarrier();
  if (lane == 0u) {
    var winner = bestIndices[0];
    var winnerValue = bestValues[0];
    for (var other = 1u; other < LANES; other++) {
      let index = bestIndices[other];
      let value = bestValues[other];
      if (index != 0xffffffffu && (value > winnerValue || (value == winnerValue && index < winner))) {
        winner = index;
        winnerValue = value;
      }
    }
    ids[row] = i32(winner);
  }`,
    SHARED_WGSL,
  ),
};

/**
 * Nucleus sampling of row r: probabilities softmax(logits / temperature); the kept set is every
 * token whose probability reaches the threshold tau found by bisection as the largest with kept
 * mass >= topP; the sample is the first kept token, in index order, where the kept cumulative
 * mass reaches uniforms[r] times the kept mass.
 */
const topPKernel: KernelDefinition = {
  name: 'inference sample top-p',
  params: { rows: 'u32', columns: 'u32', temperature: 'f32', topP: 'f32' },
  inputs: ['logits', 'uniforms'],
  outputs: ['ids'],
  main: perRow(
    `
  let base = row * params.columns;
  var localMax = -3.0e38;
  for (var c = lane; c < params.columns; c += LANES) { localMax = max(localMax, logits[base + c]); }
  let top = workgroupMax(localMax, lane);
  var localSum = 0.0;
  for (var c = lane; c < params.columns; c += LANES) {
    localSum += exp((logits[base + c] - top) / params.temperature);
  }
  let total = workgroupSum(localSum, lane);
  var low = 0.0;
  var high = 1.0;
  for (var step = 0u; step < 40u; step++) {
    let middle = 0.5 * (low + high);
    var kept = 0.0;
    for (var c = lane; c < params.columns; c += LANES) {
      let p = exp((logits[base + c] - top) / params.temperature) / total;
      if (p >= middle) { kept += p; }
    }
    if (workgroupSum(kept, lane) >= params.topP) { low = middle; } else { high = middle; }
  }
  let threshold = low;
  let chunk = (params.columns + LANES - 1u) / LANES;
  let begin = min(lane * chunk, params.columns);
  let end = min(begin + chunk, params.columns);
  var chunkMass = 0.0;
  for (var c = begin; c < end; c++) {
    let p = exp((logits[base + c] - top) / params.temperature) / total;
    if (p >= threshold) { chunkMass += p; }
  }
  prefix[lane + 1u] = chunkMass;
  workgroupBarrier();
  if (lane == 0u) {
    prefix[0] = 0.0;
    for (var l = 1u; l <= LANES; l++) { prefix[l] += prefix[l - 1u]; }
    bestIndices[0] = 0xffffffffu;
  }
  workgroupBarrier();
  let goal = uniforms[row] * prefix[LANES];
  if (prefix[lane] <= goal && (goal < prefix[lane + 1u] || lane == LANES - 1u)) {
    var cumulative = prefix[lane];
    var chosen = 0xffffffffu;
    var lastKept = 0xffffffffu;
    for (var c = begin; c < end; c++) {
      let p = exp((logits[base + c] - top) / params.temperature) / total;
      if (p >= threshold) {
        lastKept = c;
        cumulative += p;
        if (cumulative > goal && chosen == 0xffffffffu) { chosen = c; }
      }
    }
    if (chosen == 0xffffffffu) { chosen = lastKept; }
    if (chosen != 0xffffffffu) { bestIndices[0] = chosen; }
  }
  workgroupBarrier();
  if (lane == 0u) {
    var chosen = bestIndices[0];
    if (chosen == 0xffffffffu) {
      // Rounding left the goal past every kept token: take the most probable one.
      for (var c = 0u; c < params.columns; c++) { if (logits[base + c] == top) { chosen = c; break; } }
    }
    ids[row] = i32(chosen);
  }`,
    SHARED_WGSL,
  ),
};

export function argmaxRows(engine: Engine, logits: Tensor, ids: Tensor): void {
  const [rows, columns] = logits.shape as [number, number];
  runKernel(engine, argmaxKernel, {
    operation: `argmax of ${rows} x ${columns} logits`,
    inputs: [logits],
    outputs: [ids],
    params: { rows, columns },
    workgroups: grid(rows, 1),
  });
}

export function sampleTopP(
  engine: Engine,
  logits: Tensor,
  uniforms: Tensor,
  ids: Tensor,
  { temperature, topP }: { temperature: number; topP: number },
): void {
  const [rows, columns] = logits.shape as [number, number];
  runKernel(engine, topPKernel, {
    operation: `top-p sampling of ${rows} x ${columns} logits`,
    inputs: [logits, uniforms],
    outputs: [ids],
    params: { rows, columns, temperature, topP },
    workgroups: grid(rows, 1),
  });
}
