import type { ModelConfig } from './config.ts';
import { IGNORED_BUFFER, llamaTensorSpecs, optionalBiasShape } from './llama-tensors.ts';

export interface LayoutProblem {
  readonly tensor: string;
  /** False when the tensor is missing, so no file can be blamed. */
  readonly present: boolean;
  readonly problem: string;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((dim, index) => dim === b[index]);
}

const formatShape = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/**
 * The first way the tensors `shapes` lists fail to be a Llama model of `config`: a missing tensor,
 * a wrong shape, or a tensor the model has no use for. Unknown tensors are refused rather than
 * skipped, since silently dropping weights would load a different model than the file holds.
 */
export function findLayoutProblem(
  config: ModelConfig,
  shapes: ReadonlyMap<string, readonly number[]>,
): LayoutProblem | undefined {
  const expected = new Map<string, readonly number[]>();
  for (const spec of llamaTensorSpecs(config)) expected.set(spec.name, spec.shape);
  for (const [name, shape] of expected) {
    const actual = shapes.get(name);
    if (!actual) return { tensor: name, present: false, problem: `missing tensor "${name}"` };
    if (!sameShape(actual, shape))
      return {
        tensor: name,
        present: true,
        problem: `tensor "${name}" is ${formatShape(actual)}, config.json needs ${formatShape(shape)}`,
      };
  }
  for (const [name, actual] of shapes) {
    if (expected.has(name) || IGNORED_BUFFER.test(name)) continue;
    const biasShape = optionalBiasShape(config, name);
    if (!biasShape)
      return {
        tensor: name,
        present: true,
        problem: `unexpected tensor "${name}" (no such parameter in a Llama model of this config)`,
      };
    if (!sameShape(actual, biasShape))
      return {
        tensor: name,
        present: true,
        problem: `tensor "${name}" is ${formatShape(actual)}, config.json needs ${formatShape(biasShape)}`,
      };
  }
  return undefined;
}
