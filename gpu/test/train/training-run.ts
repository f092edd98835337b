/** What the training tests share: a reporter that records, and weight comparisons. */
import { expect } from 'vitest';
import { Checkpoint } from '../../src/index.ts';
import type { TrainingReporter } from '../../src/train/pretrain.ts';

export interface Recorded {
  points: Map<number, Record<string, number>>;
  artifacts: { kind: string; path: string; step?: number }[];
}

export function recordingReporter(
  resumeFrom: { path: string; step: number } | null = null,
  stopAfterStep = Infinity,
): TrainingReporter & Recorded {
  const points = new Map<number, Record<string, number>>();
  const artifacts: Recorded['artifacts'] = [];
  let lastStep = 0;
  return {
    points,
    artifacts,
    progress: () => undefined,
    log: () => undefined,
    metrics(step, values) {
      lastStep = Math.max(lastStep, step);
      points.set(step, { ...points.get(step), ...values });
    },
    artifact(artifact) {
      artifacts.push(artifact);
    },
    shouldStop: () => lastStep >= stopAfterStep,
    resumeFrom: () => resumeFrom,
  };
}

export async function weightsOf(directory: string): Promise<Map<string, Float32Array>> {
  const checkpoint = await Checkpoint.open(directory);
  try {
    const weights = new Map<string, Float32Array>();
    for (const name of checkpoint.tensorNames)
      weights.set(name, await checkpoint.readFloat32(name));
    return weights;
  } finally {
    await checkpoint.close();
  }
}

export function largestRelativeDifference(
  a: Map<string, Float32Array>,
  b: Map<string, Float32Array>,
): number {
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  let largest = 0;
  for (const [name, values] of a) {
    const other = b.get(name)!;
    values.forEach((value, index) => {
      const difference = Math.abs(value - other[index]!) / Math.max(Math.abs(value), 1e-6);
      largest = Math.max(largest, difference);
    });
  }
  return largest;
}
