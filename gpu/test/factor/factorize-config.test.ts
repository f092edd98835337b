import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Checkpoint } from '../../src/index.ts';
import { readMoeConfig } from '../../src/factor/moe-config.ts';
import { factorizeConfigSchema, factorizeModel } from '../../src/jobs/factorize.ts';
import { useTemporaryFolders } from '../model/files.ts';
import { RecordingReporter } from '../recording-reporter.ts';

const DEMO = fileURLToPath(new URL('../../../models/demo', import.meta.url));
const temporaryFolder = useTemporaryFolders();

/** A GPU request fails the test: these refusals must come before any work. */
const noGpu = () => Promise.reject(new Error('the job asked for a GPU before refusing'));

describe('factorize configs', () => {
  it.each([
    { config: { experts: 4, topK: 5 }, field: 'topK' },
    { config: { experts: 33, topK: 1 }, field: 'experts' },
    { config: { experts: 4, topK: 0 }, field: 'topK' },
    { config: { experts: 4, topK: 2, split: 'zigzag' }, field: 'split' },
    { config: { experts: 4, topK: 2, router: 'transformer' }, field: 'router' },
    { config: { experts: 4, topK: 2, gating: 'hard' }, field: 'gating' },
    { config: { experts: 4, topK: 2, routerHidden: 64 }, field: 'routerHidden' },
    { config: { experts: 4, topK: 2, sharedExpertSize: -1 }, field: 'sharedExpertSize' },
    { config: { experts: 4, topK: 2, activeShare: 1 }, field: 'activeShare' },
    { config: { experts: 4, topK: 2, model: '' }, field: 'model' },
    { config: { experts: 4, topK: 2, layers: 2 }, field: '' },
  ])('the schema refuses $config naming "$field"', ({ config, field }) => {
    const parsed = factorizeConfigSchema.safeParse({ model: DEMO, output: '/tmp/x', ...config });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.path.join('.')).toBe(field);
  });

  it.each([
    {
      what: 'a missing model',
      config: { model: '/nonexistent/model' },
      message: /^config\.model: .*holds no config\.json/,
    },
    {
      what: 'N not dividing the width',
      config: { experts: 5 },
      message: /^config\.experts: 5 does not divide the 688 routed neurons.*unevenExperts/,
    },
    {
      what: 'N not dividing what a shared expert leaves',
      config: { experts: 4, sharedExpertSize: 10 },
      message: /^config\.experts: 4 does not divide the 678 routed neurons/,
    },
    {
      what: 'a shared expert that leaves too few neurons',
      config: { experts: 4, sharedExpertSize: 686 },
      message: /^config\.sharedExpertSize: must leave at least one neuron per expert/,
    },
    {
      what: 'calibration sequences longer than the model takes',
      config: { split: 'coactivation', calibrationLength: 1024 },
      message: /^config\.calibrationLength: must be at most .*512/,
    },
  ])('the job refuses $what before any work, naming the field', async ({ config, message }) => {
    const output = join(await temporaryFolder(), 'moe');
    const parsed = factorizeConfigSchema.parse({
      model: DEMO,
      output,
      experts: 4,
      topK: 2,
      ...config,
    });
    await expect(factorizeModel(parsed, new RecordingReporter(), noGpu)).rejects.toThrow(message);
    await expect(readdir(output)).rejects.toThrow(/ENOENT/);
  });

  it('refuses to overwrite a folder that is not a mixture of experts it wrote', async () => {
    const output = join(await temporaryFolder(), 'precious');
    await mkdir(output);
    await writeFile(join(output, 'notes.txt'), 'keep me');
    const config = factorizeConfigSchema.parse({ model: DEMO, output, experts: 4, topK: 2 });
    await expect(factorizeModel(config, new RecordingReporter(), noGpu)).rejects.toThrow(
      /^config\.output: .*not a mixture-of-experts checkpoint/,
    );
    expect(await readFile(join(output, 'notes.txt'), 'utf8')).toBe('keep me');
  });

  it('uneven experts are written with their widths, and a MoE is refused as a source', async () => {
    const output = join(await temporaryFolder(), 'moe');
    const config = factorizeConfigSchema.parse({
      model: DEMO,
      output,
      experts: 5,
      topK: 2,
      unevenExperts: true,
    });
    const reporter = new RecordingReporter();
    await factorizeModel(config, reporter, noGpu);
    expect(reporter.progressCalls.at(-1)).toEqual({ fraction: 1, stage: 'done' });
    const checkpoint = await Checkpoint.open(output);
    const moe = readMoeConfig(checkpoint.config)!;
    expect(moe.expert_widths).toEqual([137, 138, 137, 138, 138]);
    expect(checkpoint.info('model.layers.0.mlp.experts.gate_proj.weight').shape).toEqual([
      5, 256, 138,
    ]);
    await checkpoint.close();
    // Run again over its own output: replaced, not refused.
    await factorizeModel(config, new RecordingReporter(), noGpu);
    const again = factorizeConfigSchema.parse({
      model: output,
      output: join(await temporaryFolder(), 'twice'),
      experts: 2,
      topK: 1,
    });
    await expect(factorizeModel(again, new RecordingReporter(), noGpu)).rejects.toThrow(
      /^config\.model: .*already a mixture of experts/,
    );
  });
});
