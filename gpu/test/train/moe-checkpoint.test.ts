import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu, backward, mul, sum, tensor, type Gpu } from '../../src/index.ts';
import { factorizeConfigSchema, factorizeModel } from '../../src/jobs/factorize.ts';
import { tanh } from '../../src/ops/tanh.ts';
import { MOE_PARAMETER_GROUPS, moeParameterGroup } from '../../src/train/moe.ts';
import { TrainableLlama } from '../../src/train/trainable-llama.ts';
import { useTemporaryFolders } from '../model/files.ts';
import { RecordingReporter } from '../recording-reporter.ts';

const DEMO = fileURLToPath(new URL('../../../models/demo', import.meta.url));
const temporaryFolder = useTemporaryFolders();
const POSITIONS = 16;
let gpu: Gpu;

beforeAll(async () => {
  gpu = await acquireGpu();
});

/** The demo model saved as 4 experts, top 2, softmax gating, mlp router and a shared expert. */
async function savedMoe(): Promise<string> {
  const output = join(await temporaryFolder(), 'moe');
  const config = factorizeConfigSchema.parse({
    model: DEMO,
    output,
    experts: 4,
    topK: 2,
    router: 'mlp',
    routerHidden: 24,
    gating: 'softmax',
    split: 'kmeans',
    sharedExpertSize: 48,
    calibrationTokens: 128,
    calibrationLength: 128,
  });
  await factorizeModel(config, new RecordingReporter(), () => Promise.resolve(gpu));
  return output;
}

/** Largest |gradient| of each trainable parameter after one loss backward. */
async function gradientSizes(model: TrainableLlama): Promise<Map<string, number>> {
  const tokens = Array.from({ length: POSITIONS + 1 }, (_, index) => (index * 211 + 5) % 4000);
  const ids = tensor(gpu, Int32Array.from(tokens.slice(0, -1)), [POSITIONS]);
  const targets = tensor(gpu, Int32Array.from(tokens.slice(1)), [POSITIONS]);
  const pass = model.loss({ ids, batch: 1, positions: POSITIONS }, targets);
  backward(pass.output);
  pass.activations.dispose(pass.output);
  pass.output.dispose();
  ids.dispose();
  targets.dispose();
  const sizes = new Map<string, number>();
  for (const [name, parameter] of model.parameters.trainableEntries) {
    const grad = parameter.grad;
    sizes.set(
      name,
      grad
        ? (await grad.read()).reduce((largest, value) => Math.max(largest, Math.abs(value)), 0)
        : 0,
    );
    parameter.zeroGrad();
  }
  return sizes;
}

describe('TrainableLlama.open of a saved mixture of experts', () => {
  it('names its parameters in groups and trains the groups it is asked to (router-only, then routers and experts)', async () => {
    const model = await TrainableLlama.open(gpu, await savedMoe());
    try {
      expect(model.moe).toEqual({ experts: 4, topK: 2, gating: 'softmax' });
      const groups = new Map<string, string[]>();
      for (const name of model.parameters.names) {
        const group = moeParameterGroup(name);
        groups.set(group, [...(groups.get(group) ?? []), name]);
      }
      // Per layer: the mlp router's two layers (weight and bias each), three expert tensors,
      // three shared-expert tensors.
      expect(groups.get('routers')).toHaveLength(4 * 4);
      expect(groups.get('experts')).toHaveLength(4 * 3);
      expect(groups.get('sharedExperts')).toHaveLength(4 * 3);
      expect(groups.get('rest')).toContain('model.embed_tokens.weight');
      expect(groups.get('rest')!.some((name) => name.includes('.mlp.'))).toBe(false);

      // Softmax gating: the task loss reaches every router layer, every expert, the shared expert.
      const all = await gradientSizes(model);
      for (const name of [...groups.get('routers')!, ...groups.get('experts')!])
        expect(all.get(name), name).toBeGreaterThan(0);
      for (const name of groups.get('sharedExperts')!)
        expect(all.get(name), name).toBeGreaterThan(0);

      // The fine-tune's first stage: routers only.
      model.parameters.freeze(/./);
      expect(model.parameters.unfreeze(MOE_PARAMETER_GROUPS.routers)).toBe(16);
      const routersOnly = await gradientSizes(model);
      expect([...routersOnly.keys()].sort()).toEqual([...groups.get('routers')!].sort());
      expect([...routersOnly.values()].every((size) => size > 0)).toBe(true);

      // Its second: routers and experts.
      expect(model.parameters.unfreeze(MOE_PARAMETER_GROUPS.experts)).toBe(12);
      const joint = await gradientSizes(model);
      expect(joint.size).toBe(28);
    } finally {
      model.dispose();
    }
  });

  it('tanh (the mlp router) and its gradient match float64 on a shape off the tile sizes', async () => {
    const rows = 37;
    const columns = 3;
    const values = Array.from({ length: rows * columns }, (_, i) => ((i * 7919) % 211) / 10 - 10.5);
    values[0] = 60;
    values[1] = -60;
    const weights = values.map((_, i) => ((i * 31) % 17) / 8 - 1);
    const x = tensor(gpu, Float32Array.from(values), [rows, columns], { requiresGrad: true });
    const w = tensor(gpu, Float32Array.from(weights), [rows, columns]);
    const y = tanh(x);
    const forward = await y.read();
    const loss = sum(mul(y, w));
    backward(loss);
    const gradient = await x.grad!.read();
    values.forEach((value, i) => {
      expect(forward[i]).toBeCloseTo(Math.tanh(value), 6);
      expect(gradient[i]).toBeCloseTo(weights[i]! * (1 - Math.tanh(value) ** 2), 6);
    });
    for (const t of [x, w, loss]) t.dispose();
  });
});
