import { describe, it } from 'vitest';
import { acquireGpu, rmsNorm, type Shape } from '../../../src/index.ts';
import { rmsNormRows } from '../../../src/ops/fused/rms-norm-rows.ts';
import { checkOp, inputValues, type InputSpec } from '../conformance.ts';
import { expectClose, gpuGradients, randomValues, upload } from '../helpers.ts';

const EPS = 1e-5;

/** x / sqrt(mean(x^2) + eps) * weight per row, in float64. */
function referenceRmsNorm([x, weight]: readonly Float64Array[], [shape]: readonly Shape[]) {
  const columns = shape!.at(-1)!;
  const y = new Float64Array(x!.length);
  for (let start = 0; start < x!.length; start += columns) {
    let squares = 0;
    for (let c = 0; c < columns; c++) squares += x![start + c]! ** 2;
    const r = 1 / Math.sqrt(squares / columns + EPS);
    for (let c = 0; c < columns; c++) y[start + c] = x![start + c]! * r * weight![c]!;
  }
  return y;
}

const rowsOf = (shape: Shape): InputSpec[] => [{ shape }, { shape: [shape.at(-1)!] }];

describe('rmsNormRows (RMSNorm, a row per invocation)', () => {
  checkOp({
    name: 'against float64',
    op: ([x, weight]) => rmsNormRows(x!, weight!, EPS),
    reference: referenceRmsNorm,
    configs: [rowsOf([1]), rowsOf([3, 7]), rowsOf([2, 65, 257]), rowsOf([130, 256])],
    gradientConfigs: [rowsOf([1]), rowsOf([3, 5]), rowsOf([2, 2, 7])],
    forwardTolerance: 1e-5,
    backwardTolerance: 1e-4,
  });

  it('equals the rmsNorm op forward and backward at a training shape', async () => {
    const gpu = await acquireGpu();
    const specs = rowsOf([70, 256]);
    const values = inputValues(specs, 3);
    const shapes = specs.map(({ shape }) => shape);
    const inputs = values.map((value, index) => upload(gpu, value, shapes[index]!));
    const [fused, composed] = [
      rmsNormRows(inputs[0]!, inputs[1]!, EPS),
      rmsNorm(inputs[0]!, inputs[1]!, { eps: EPS }),
    ];
    expectClose(await fused.read(), await composed.read(), 1e-6);
    const weights = randomValues(fused.size, 7);
    for (const tensor of [...inputs, fused, composed]) tensor.dispose();
    const gradientInputs = values.map((value, index) => ({ values: value, shape: shapes[index]! }));
    const [fusedGrads, composedGrads] = await Promise.all([
      gpuGradients(([x, w]) => rmsNormRows(x!, w!, EPS), gradientInputs, weights),
      gpuGradients(([x, w]) => rmsNorm(x!, w!, { eps: EPS }), gradientInputs, weights),
    ]);
    composedGrads.forEach((grad, index) => expectClose(fusedGrads[index]!, grad!, 1e-5));
  });
});
