import { InvalidArgumentError } from 'commander';

/** Commander's parser for an integer flag value. */
export function integer(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed)) throw new InvalidArgumentError('not an integer');
  return parsed;
}

/** Commander's parser for a repeatable flag: every value, in order. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export const CPU_THREADS_HELP =
  'lavapipe only: threads its kernels run on (default one per core; 1 runs them inline, which ' +
  'decodes faster where waking threads is slow, e.g. in VMs)';
