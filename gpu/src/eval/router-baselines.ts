import { batchMatmul, swiglu } from '../ops/index.ts';
import { tensor } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { paLabel } from '../train/finetune/pa-prior.ts';
import { moeWeightsOf, type ChoiceOverride } from '../train/moe.ts';
import type { ForwardOptions, TrainableLlama } from '../train/trainable-llama.ts';
import { seededRandom } from '../util/random.ts';

/** A router that picks k experts uniformly at random for every token (seeded). */
export function randomRouting(seed: number): NonNullable<ForwardOptions['route']> {
  const random = seededRandom(seed);
  return (): ChoiceOverride => (input, routerLogits) => {
    const scores = new Float32Array(routerLogits.size);
    scores.forEach((_, index) => (scores[index] = random()));
    return tensor(input.engine.gpu, scores, routerLogits.shape);
  };
}

/**
 * The oracle router: on the student's own FFN input h, the k experts that best approximate k/N
 * of the dense teacher's FFN output F(h) (the PA label, computed where the student is rather than
 * on the teacher's stream).
 */
export function oracleRouting(
  teacher: TrainableLlama,
  student: TrainableLlama,
): NonNullable<ForwardOptions['route']> {
  const k = student.moe!.topK;
  return (layer): ChoiceOverride => {
    const weights = moeWeightsOf(student.parameters, layer)!;
    return (input) => {
      const dense = denseFeedForward(teacher, layer, input);
      const label = paLabel({ input, output: dense }, weights, k);
      dense.dispose();
      label.errors.dispose();
      return label.mask;
    };
  };
}

/** The teacher's dense SwiGLU FFN of `layer` on `input` (called without gradients). */
function denseFeedForward(teacher: TrainableLlama, layer: number, input: Tensor): Tensor {
  const weight = (name: string) =>
    teacher.parameters.get(`model.layers.${layer}.mlp.${name}.weight`);
  const gate = batchMatmul(input, weight('gate_proj'), { transposeB: true });
  const up = batchMatmul(input, weight('up_proj'), { transposeB: true });
  const hidden = swiglu(gate, up);
  const output = batchMatmul(hidden, weight('down_proj'), { transposeB: true });
  for (const done of [gate, up, hidden]) done.dispose();
  return output;
}
