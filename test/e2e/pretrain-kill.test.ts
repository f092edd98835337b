import { once } from 'node:events';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Checkpoint } from '../../gpu/src/index.ts';
import { TINY_PRETRAIN } from '../../gpu/test/train/tiny-pretrain.ts';
import { spawnLab } from '../support/lab-process.ts';

const folders: string[] = [];
afterAll(() => Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true }))));

async function folder(): Promise<string> {
  const created = await mkdtemp(path.join(tmpdir(), 'factorlab-pretrain-'));
  folders.push(created);
  return created;
}

/** Long enough (24 steps) that a kill after the step-4 checkpoint lands mid-run. */
async function writeConfig(directory: string, output: string): Promise<string> {
  const config = {
    output,
    seed: 11,
    ...TINY_PRETRAIN,
    training: {
      steps: 24,
      batchSize: 2,
      sequenceLength: 32,
      gradientAccumulation: 2,
      learningRate: 3e-3,
      warmupSteps: 3,
    },
    evaluation: { every: 12, batches: 1, test: false },
    checkpoint: { every: 4, keep: 2 },
  };
  const file = path.join(directory, `${path.basename(output)}.json`);
  await writeFile(file, JSON.stringify(config));
  return file;
}

const exists = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  );

async function finalWeights(output: string): Promise<Map<string, Float32Array>> {
  const checkpoint = await Checkpoint.open(path.join(output, 'model'));
  try {
    const weights = new Map<string, Float32Array>();
    for (const name of checkpoint.tensorNames)
      weights.set(name, await checkpoint.readFloat32(name));
    return weights;
  } finally {
    await checkpoint.close();
  }
}

async function runToEnd(args: string[]): Promise<string> {
  const lab = spawnLab(args, {});
  const [code] = (await once(lab.child, 'exit')) as [number | null];
  expect(code, lab.output()).toBe(0);
  return lab.output();
}

describe('lab pretrain', () => {
  it('killed with SIGKILL after a checkpoint, --resume ends at the weights of an uninterrupted run', async () => {
    const directory = await folder();
    const straight = path.join(directory, 'straight');
    await runToEnd(['pretrain', '--config', await writeConfig(directory, straight)]);

    const killed = path.join(directory, 'killed');
    const config = await writeConfig(directory, killed);
    const lab = spawnLab(['pretrain', '--config', config], {});
    await lab.waitFor(/artifact: checkpoint \S+step-00000004 at step 4/, 180_000);
    lab.child.kill('SIGKILL');
    await once(lab.child, 'exit');
    // It died mid-run: no finished model, no step-24 checkpoint.
    expect(await exists(path.join(killed, 'model'))).toBe(false);
    expect(await exists(path.join(killed, 'checkpoints', 'step-00000024'))).toBe(false);

    const resumed = await runToEnd(['pretrain', '--config', config, '--resume', killed]);
    expect(resumed).toMatch(/resuming from \S+step-000000\d\d \(step \d+\)/);

    const expected = await finalWeights(straight);
    const actual = await finalWeights(killed);
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    let largest = 0;
    for (const [name, values] of expected) {
      const other = actual.get(name)!;
      values.forEach((value, index) => {
        const relative = Math.abs(value - other[index]!) / Math.max(Math.abs(value), 1e-6);
        largest = Math.max(largest, relative);
      });
    }
    expect(largest).toBeLessThan(1e-6);
  }, 600_000);

  it('refuses a config with a bad field before any work, naming the field', async () => {
    const directory = await folder();
    const file = path.join(directory, 'bad.json');
    await writeFile(
      file,
      JSON.stringify({
        output: path.join(directory, 'out'),
        model: { hiddenSize: 30, intermediateSize: 88, layers: 1, heads: 4 },
        training: { steps: 4, batchSize: 2, sequenceLength: 16, learningRate: 3e-3 },
      }),
    );
    const lab = spawnLab(['pretrain', '--config', file], {});
    const [code] = (await once(lab.child, 'exit')) as [number | null];
    expect(code).not.toBe(0);
    expect(lab.output()).toMatch(/config\.model\.hiddenSize: must be a multiple of heads/);
    expect(await exists(path.join(directory, 'out'))).toBe(false);
  }, 60_000);

  it('says what is wrong with a --resume folder that holds no checkpoint', async () => {
    const directory = await folder();
    const lab = spawnLab(
      [
        'pretrain',
        '--config',
        await writeConfig(directory, path.join(directory, 'out')),
        '--resume',
        directory,
      ],
      {},
    );
    const [code] = (await once(lab.child, 'exit')) as [number | null];
    expect(code).not.toBe(0);
    expect(lab.output()).toMatch(/--resume \S+: \S+ is neither a training checkpoint/);
  }, 60_000);
});
