import { readMoeConfig } from '../factor/moe-config.ts';
import { ModelTokenizer } from '../model/tokenizer.ts';
import { batchMatmul, swiglu } from '../ops/index.ts';
import { noGrad } from '../ops/grad-mode.ts';
import type { Gpu } from '../runtime/device.ts';
import { tensor } from '../tensor/create.ts';
import { readBrownCorpus } from '../train/data/brown-corpus.ts';
import { assignSplits } from '../train/data/split.ts';
import { TrainableLlama } from '../train/trainable-llama.ts';
import { seededRandom } from '../util/random.ts';
import { shuffled } from '../factor/neuron-groups.ts';

export interface CalibrationOptions {
  /** Tokens the dense model runs (rounded down to whole sequences, at least one). */
  tokens: number;
  sequenceLength: number;
  /** Share of each token's neurons counted active: those of largest |silu(gate) * up|. */
  activeShare: number;
  /** Orders the Brown train-split documents the tokens are taken from. */
  seed: number;
  /** Fraction of the calibration done, after each sequence. */
  onProgress?: (fraction: number) => void;
}

/** Which neurons were active on which calibration token, one bit each, per layer. */
export interface NeuronActivity {
  tokens: number;
  width: number;
  /** Per layer, token-major bits: token t's neuron n is bit (t * width + n). */
  layers: Uint32Array[];
}

/**
 * Calibration token sequences: Brown train-split documents in a seeded order, tokenised by the
 * model's own tokenizer and cut into sequences of `sequenceLength` tokens.
 */
export async function calibrationSequences(
  modelDirectory: string,
  tokenizer: ModelTokenizer,
  { tokens, sequenceLength, seed }: CalibrationOptions,
): Promise<number[][]> {
  const documents = await readBrownCorpus();
  const splits = assignSplits(documents.map(({ id }) => id));
  const train = shuffled(
    documents.filter(({ id }) => splits.get(id) === 'train'),
    seededRandom(seed),
  );
  const count = Math.max(1, Math.floor(tokens / sequenceLength));
  const stream: number[] = [];
  for (const { text } of train) {
    if (stream.length >= count * sequenceLength) break;
    stream.push(...tokenizer.encode(text));
  }
  if (stream.length < count * sequenceLength)
    throw new Error(
      `${modelDirectory}: the Brown train split gives ${stream.length} tokens, fewer than the ${count * sequenceLength} asked for calibration`,
    );
  return Array.from({ length: count }, (_, index) =>
    stream.slice(index * sequenceLength, (index + 1) * sequenceLength),
  );
}

/**
 * Runs the dense checkpoint `modelDirectory` over calibration tokens (see calibrationSequences)
 * and records, per layer and token, which SwiGLU neurons are active: the `activeShare` of them
 * whose |silu(x Wg^T) * (x Wu^T)| is largest for that token (ties to the lower index).
 */
export async function recordNeuronActivity(
  gpu: Gpu,
  modelDirectory: string,
  options: CalibrationOptions,
): Promise<NeuronActivity> {
  const model = await TrainableLlama.open(gpu, modelDirectory);
  try {
    const { config } = model;
    if (readMoeConfig(config))
      throw new Error(
        `${modelDirectory} is already a mixture of experts; calibrate its dense source`,
      );
    if (options.sequenceLength > config.max_position_embeddings)
      throw new Error(
        `calibration sequences of ${options.sequenceLength} tokens exceed the model's max_position_embeddings (${config.max_position_embeddings})`,
      );
    const tokenizer = await ModelTokenizer.open(modelDirectory, config);
    const sequences = await calibrationSequences(modelDirectory, tokenizer, options);
    const width = config.intermediate_size;
    const total = sequences.length * options.sequenceLength;
    const active = Math.max(1, Math.round(options.activeShare * width));
    const layers = Array.from(
      { length: config.num_hidden_layers },
      () => new Uint32Array(Math.ceil((total * width) / 32)),
    );
    for (const [index, sequence] of sequences.entries()) {
      const ids = tensor(gpu, Int32Array.from(sequence), [sequence.length]);
      // Encoded under no-grad as one synchronous block; read back afterwards.
      const hiddens = noGrad(() => {
        const pass = model.logits(
          { ids, batch: 1, positions: sequence.length },
          { captureFeedForward: true },
        );
        pass.activations.dispose();
        return pass.feedForward.map(({ input, output }, layer) => {
          output.dispose();
          const weight = (name: string) =>
            model.parameters.get(`model.layers.${layer}.mlp.${name}.weight`);
          const gate = batchMatmul(input, weight('gate_proj'), { transposeB: true });
          const up = batchMatmul(input, weight('up_proj'), { transposeB: true });
          const hidden = swiglu(gate, up);
          gate.dispose();
          up.dispose();
          input.dispose();
          return hidden;
        });
      });
      const magnitudes: Float32Array[] = [];
      for (const hidden of hiddens) {
        magnitudes.push(await hidden.read());
        hidden.dispose();
      }
      ids.dispose();
      const first = index * options.sequenceLength;
      magnitudes.forEach((values, layer) =>
        markActive(values, width, active, first, layers[layer]!),
      );
      options.onProgress?.((index + 1) / sequences.length);
    }
    return { tokens: total, width, layers };
  } finally {
    model.dispose();
  }
}

/**
 * Sets the bits of each row's `active` largest |values| (row t of `values` is token first + t),
 * ties to the lower index: the threshold from a native sort, then the neurons above it and as
 * many at it as are still wanted, in index order.
 */
function markActive(
  values: Float32Array,
  width: number,
  active: number,
  first: number,
  bits: Uint32Array,
): void {
  const magnitudes = new Float32Array(width);
  for (let row = 0; row < values.length / width; row++) {
    const base = row * width;
    for (let neuron = 0; neuron < width; neuron++)
      magnitudes[neuron] = Math.abs(values[base + neuron]!);
    const threshold = magnitudes.slice().sort()[width - active]!;
    let atThreshold = active;
    for (let neuron = 0; neuron < width; neuron++)
      if (magnitudes[neuron]! > threshold) atThreshold--;
    const bitBase = (first + row) * width;
    for (let neuron = 0; neuron < width; neuron++) {
      const magnitude = magnitudes[neuron]!;
      if (magnitude < threshold || (magnitude === threshold && atThreshold-- <= 0)) continue;
      const bit = bitBase + neuron;
      bits[bit >>> 5]! |= 1 << (bit & 31);
    }
  }
}

/**
 * Co-activation counts [f, f] of one layer's activity: entry (i, j) the calibration tokens on
 * which neurons i and j were both active (the diagonal: how often each was), as A^T A of the
 * 0/1 activity matrix on the GPU (exact: counts stay far below 2^24).
 */
export async function coactivationCounts(
  gpu: Gpu,
  activity: NeuronActivity,
  layer: number,
): Promise<Float32Array> {
  const { tokens, width } = activity;
  const bits = activity.layers[layer]!;
  const matrix = new Float32Array(tokens * width);
  for (let bit = 0; bit < matrix.length; bit++)
    if ((bits[bit >>> 5]! >>> (bit & 31)) & 1) matrix[bit] = 1;
  const a = tensor(gpu, matrix, [tokens, width]);
  const counts = noGrad(() => batchMatmul(a, a, { transposeA: true }));
  a.dispose();
  const values = await counts.read();
  counts.dispose();
  return values;
}
