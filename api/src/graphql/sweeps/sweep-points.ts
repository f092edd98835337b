import { seededRandom } from '@factorlab/gpu';
import { badUserInput } from '../errors.ts';
import { isPlainObject, isPrototypeKey } from '../json.ts';
import type { SweepParameter } from './sweep.input.ts';

/** The most runs one sweep may queue, whatever `maxRuns` asks. */
export const SWEEP_RUN_LIMIT = 500;

/** A point of a sweep: the value chosen for each parameter path. */
export type SweepPoint = Map<string, unknown>;

function checkParameters(parameters: SweepParameter[], strategy: 'GRID' | 'RANDOM'): void {
  if (parameters.length === 0) throw badUserInput('parameters', 'give at least one parameter');
  const paths = new Set<string>();
  parameters.forEach((parameter, i) => {
    const field = `parameters.${i}`;
    if (!/^[^.]+(\.[^.]+)*$/.test(parameter.path)) {
      throw badUserInput(`${field}.path`, 'is not a dotted path');
    }
    if (paths.has(parameter.path)) throw badUserInput(`${field}.path`, 'is given twice');
    paths.add(parameter.path);
    const hasValues = (parameter.values?.length ?? 0) > 0;
    const hasRange = parameter.min != null && parameter.max != null;
    if (strategy === 'GRID' && !hasValues) {
      throw badUserInput(`${field}.values`, 'a GRID sweep needs a list of values');
    }
    if (!hasValues && !hasRange) throw badUserInput(field, 'give values, or min and max');
    if (hasRange && parameter.min! > parameter.max!) {
      throw badUserInput(`${field}.min`, 'is greater than max');
    }
    if (hasRange && parameter.logScale && parameter.min! <= 0) {
      throw badUserInput(`${field}.min`, 'must be positive on a log scale');
    }
  });
}

function gridPoints(parameters: SweepParameter[], maxRuns: number): SweepPoint[] {
  const size = parameters.reduce((product, p) => product * p.values!.length, 1);
  if (size > maxRuns) {
    throw badUserInput('parameters', `the grid has ${size} points, more than maxRuns (${maxRuns})`);
  }
  let points: SweepPoint[] = [new Map()];
  for (const parameter of parameters) {
    points = points.flatMap((point) =>
      parameter.values!.map((value) => new Map(point).set(parameter.path, value)),
    );
  }
  return points;
}

function sample(parameter: SweepParameter, random: () => number): unknown {
  if (parameter.values?.length) {
    return parameter.values[Math.floor(random() * parameter.values.length)];
  }
  const [min, max] = [parameter.min!, parameter.max!];
  const value = parameter.logScale
    ? Math.exp(Math.log(min) + random() * (Math.log(max) - Math.log(min)))
    : min + random() * (max - min);
  return parameter.integer ? Math.round(value) : value;
}

function randomPoints(
  parameters: SweepParameter[],
  samples: number | null | undefined,
  seed: number,
  maxRuns: number,
): SweepPoint[] {
  if (!samples || samples < 1) throw badUserInput('samples', 'a RANDOM sweep needs samples >= 1');
  if (samples > maxRuns) throw badUserInput('samples', `is more than maxRuns (${maxRuns})`);
  const random = seededRandom(seed);
  return Array.from(
    { length: samples },
    () => new Map(parameters.map((parameter) => [parameter.path, sample(parameter, random)])),
  );
}

/** The points of a sweep, in a reproducible order; refuses sweeps over the cap before any work. */
export function sweepPoints(
  parameters: SweepParameter[],
  options: { strategy: 'GRID' | 'RANDOM'; samples?: number | null; seed: number; maxRuns: number },
): SweepPoint[] {
  if (
    !Number.isInteger(options.maxRuns) ||
    options.maxRuns < 1 ||
    options.maxRuns > SWEEP_RUN_LIMIT
  ) {
    throw badUserInput('maxRuns', `must be an integer from 1 to ${SWEEP_RUN_LIMIT}`);
  }
  checkParameters(parameters, options.strategy);
  return options.strategy === 'GRID'
    ? gridPoints(parameters, options.maxRuns)
    : randomPoints(parameters, options.samples, options.seed, options.maxRuns);
}

/**
 * `base` with each of the point's paths set, creating objects along the way. The paths were
 * checked against the job's config schema; a prototype key is refused here all the same, so no
 * path can reach `Object.prototype` whoever calls this.
 */
export function applyPoint(
  base: Record<string, unknown>,
  point: SweepPoint,
): Record<string, unknown> {
  const config = structuredClone(base);
  for (const [path, value] of point) {
    const keys = path.split('.');
    const prototypeKey = keys.find(isPrototypeKey);
    if (prototypeKey !== undefined) {
      throw badUserInput('parameters', `"${prototypeKey}" in "${path}" is not a config field`);
    }
    let node: Record<string, unknown> = config;
    for (const key of keys.slice(0, -1)) {
      const child = Object.hasOwn(node, key) ? node[key] : undefined;
      node = (node[key] = isPlainObject(child) ? child : {}) as Record<string, unknown>;
    }
    node[keys.at(-1)!] = value;
  }
  return config;
}
