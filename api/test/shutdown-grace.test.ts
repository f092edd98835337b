import { describe, expect, it } from 'vitest';
import { stopGraceMs } from '../src/cli/shutdown.ts';

describe('the stop grace period', () => {
  it('is 10 s unless FACTORLAB_STOP_GRACE_S sets it, and refuses what is not a duration', () => {
    expect(stopGraceMs(undefined)).toBe(10_000);
    expect(stopGraceMs('')).toBe(10_000);
    expect(stopGraceMs('110')).toBe(110_000);
    expect(stopGraceMs('0.5')).toBe(500);
    for (const bad of ['0', '-5', 'two minutes', 'Infinity', '7200'])
      expect(() => stopGraceMs(bad), bad).toThrow(
        `FACTORLAB_STOP_GRACE_S: "${bad}" is not a number of seconds from 0 to 3600`,
      );
  });
});
