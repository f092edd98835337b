import { add } from '../ops/add.ts';
import { getOp } from '../ops/registry.ts';
import { cloneTensor, tensor } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { noGrad } from '../ops/grad-mode.ts';

export interface BackwardOptions {
  /** Intermediates to keep readable; backward frees every other one in the graph. */
  keep?: readonly Tensor[];
}

/**
 * Walks the tape back from the scalar `loss`, adding each leaf's gradient into its `grad` (so
 * gradients accumulate across calls until `zeroGrad`), and frees the graph as it goes: each op's
 * saved intermediates and output (but `loss` and `keep`) as soon as its backward has run, since
 * only ops recorded before it remain and none of them reads it. Frozen tensors
 * (`requiresGrad` false) get no gradient, and no gradient is computed for them.
 */
export function backward(loss: Tensor, { keep = [] }: BackwardOptions = {}): void {
  const operation = `backward from ${loss.describe()}`;
  loss.bufferFor(operation);
  if (loss.size !== 1) throw new Error(`${operation}: the loss must hold one value`);
  if (!loss.gradNode) {
    throw new Error(
      loss.requiresGrad
        ? `${operation}: its graph was freed by an earlier backward`
        : `${operation}: the loss depends on no tensor that requires a gradient`,
    );
  }
  const graph = collectGraph(loss);
  noGrad(() => {
    const pending = new Map<Tensor, Tensor>([[loss, tensor(loss.engine.gpu, [1], loss.shape)]]);
    for (const output of graph) {
      const gradOutput = pending.get(output);
      if (gradOutput) {
        pending.delete(output);
        propagate(output, gradOutput, pending);
      }
      for (const saved of output.gradNode!.saved) saved.dispose();
      output.gradNode = undefined;
      if (output !== loss && !keep.includes(output)) output.dispose();
    }
  });
}

/** Op outputs reachable from `loss` through tensors that need gradients, latest first. */
function collectGraph(loss: Tensor): Tensor[] {
  const found = new Set<Tensor>();
  const stack = [loss];
  while (stack.length > 0) {
    const output = stack.pop()!;
    if (found.has(output)) continue;
    found.add(output);
    for (const input of output.gradNode!.inputs) {
      if (input.gradNode && input.requiresGrad) stack.push(input);
    }
  }
  return [...found].sort((a, b) => b.gradNode!.sequence - a.gradNode!.sequence);
}

function propagate(output: Tensor, gradOutput: Tensor, pending: Map<Tensor, Tensor>): void {
  const node = output.gradNode!;
  const needsGrad = node.inputs.map((input) => input.requiresGrad);
  const inputGrads = getOp(node.op).backward({
    inputs: node.inputs,
    output,
    saved: node.saved,
    attrs: node.attrs,
    gradOutput,
    needsGrad,
  });
  const handedOut = new Set<Tensor>();
  const handOuts: [Tensor, Tensor][] = [];
  node.inputs.forEach((input, index) => {
    let grad = inputGrads[index];
    if (!needsGrad[index] || !grad) return;
    // One tensor handed to two inputs would be freed twice; the second gets a copy, taken before
    // any is accumulated (accumulating frees what it adds).
    if (handedOut.has(grad)) grad = cloneTensor(grad, `${node.op} backward`);
    handedOut.add(grad);
    handOuts.push([input, grad]);
  });
  for (const [input, grad] of handOuts) {
    if (input.gradNode) pending.set(input, accumulate(pending.get(input), grad));
    else input.grad = accumulate(input.grad, grad);
  }
  for (const grad of inputGrads) {
    if (grad && !handedOut.has(grad)) grad.dispose();
  }
  if (!handedOut.has(gradOutput)) gradOutput.dispose();
}

/** `previous + grad`, freeing both; `grad` alone when there is nothing before it. */
function accumulate(previous: Tensor | undefined, grad: Tensor): Tensor {
  if (!previous) return grad;
  const total = add(previous, grad);
  previous.dispose();
  grad.dispose();
  return total;
}
