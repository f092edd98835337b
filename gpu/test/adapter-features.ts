import { acquireGpu } from '../src/index.ts';

/**
 * Whether the tests' adapter lacks shader-f16. Tests that need it are registered everywhere and
 * skipped (`skipIf`, "needs shader-f16" in their suite's name) where it is missing, so they are
 * counted as skipped, never as passed; CI's lavapipe has it, and .ci/summary.mjs fails CI on a
 * skip it does not expect.
 */
export const lacksShaderF16 = !(await acquireGpu()).device.features.has('shader-f16');
