import { checkDtype, checkSameShape, describeCall } from '../kernel/checks.ts';
import { runKernel, type KernelDefinition } from '../kernel/kernel.ts';
import { grid, perElement } from '../kernel/wgsl.ts';
import { tensor, zeros } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';

export interface AdamWOptions {
  learningRate: number;
  /** Default (0.9, 0.999). */
  betas?: readonly [number, number];
  /** Default 1e-8. */
  eps?: number;
  /** Decoupled decay, applied as param -= learningRate * weightDecay * param (default 0). */
  weightDecay?: number;
}

/**
 * One AdamW step in place, as PyTorch's torch.optim.AdamW computes it: decay, then the moments,
 * then the bias-corrected update. The bias corrections are per-step scalars, passed in.
 */
const adamwKernel: KernelDefinition = {
  name: 'adamw',
  params: {
    count: 'u32',
    learningRate: 'f32',
    beta1: 'f32',
    beta2: 'f32',
    eps: 'f32',
    decayFactor: 'f32',
    firstCorrection: 'f32',
    secondCorrectionRoot: 'f32',
  },
  inputs: ['grad'],
  outputs: ['param', 'firstMoment', 'secondMoment'],
  main: perElement(`
  let g = grad[index];
  let m = params.beta1 * firstMoment[index] + (1.0 - params.beta1) * g;
  let v = params.beta2 * secondMoment[index] + (1.0 - params.beta2) * g * g;
  firstMoment[index] = m;
  secondMoment[index] = v;
  let denominator = sqrt(v) / params.secondCorrectionRoot + params.eps;
  param[index] = param[index] * params.decayFactor - params.learningRate / params.firstCorrection * m / denominator;`),
};

interface Moments {
  first: Tensor;
  second: Tensor;
}

/** An optimizer's state on the host, for a checkpoint: moments in `parameters` order. */
export interface AdamWState {
  steps: number;
  /** Per parameter: its moments, or null where it has taken no step yet. */
  moments: ({ first: Float32Array; second: Float32Array } | null)[];
}

/** AdamW over a fixed set of f32 parameters; moments live on the GPU, created at the first step. */
export class AdamW {
  private readonly moments = new Map<Tensor, Moments>();
  private steps = 0;

  constructor(
    readonly parameters: readonly Tensor[],
    private readonly options: AdamWOptions,
  ) {}

  /**
   * Updates every parameter that has a gradient, in place (encoded, not awaited). The
   * learning rate may be changed between steps for a schedule.
   */
  step(learningRate = this.options.learningRate): void {
    const { betas: [beta1, beta2] = [0.9, 0.999], eps = 1e-8, weightDecay = 0 } = this.options;
    this.steps++;
    for (const param of this.parameters) {
      if (!param.grad) continue;
      const call = describeCall('adamw', [param, param.grad], `step ${this.steps}`);
      checkDtype(call, 'param', param, ['f32']);
      checkSameShape(call, param, param.grad);
      const moments = this.momentsOf(param);
      runKernel(param.engine, adamwKernel, {
        operation: call,
        inputs: [param.grad],
        outputs: [param, moments.first, moments.second],
        params: {
          count: param.size,
          learningRate,
          beta1,
          beta2,
          eps,
          decayFactor: 1 - learningRate * weightDecay,
          firstCorrection: 1 - beta1 ** this.steps,
          secondCorrectionRoot: Math.sqrt(1 - beta2 ** this.steps),
        },
        workgroups: grid(param.size),
      });
    }
  }

  zeroGrad(): void {
    for (const param of this.parameters) param.zeroGrad();
  }

  /** Steps taken so far. */
  get stepCount(): number {
    return this.steps;
  }

  /** The step count and every moment, read back. */
  async state(): Promise<AdamWState> {
    const moments: AdamWState['moments'] = [];
    for (const param of this.parameters) {
      const found = this.moments.get(param);
      moments.push(
        found ? { first: await found.first.read(), second: await found.second.read() } : null,
      );
    }
    return { steps: this.steps, moments };
  }

  /** Continues from a saved state of an optimizer over parameters of the same shapes. */
  loadState(state: AdamWState): void {
    if (state.moments.length !== this.parameters.length) {
      throw new Error(
        `adamw: the saved state holds ${state.moments.length} parameters' moments, this optimizer has ${this.parameters.length}`,
      );
    }
    this.dispose();
    this.steps = state.steps;
    state.moments.forEach((saved, index) => {
      if (!saved) return;
      const param = this.parameters[index]!;
      if (saved.first.length !== param.size || saved.second.length !== param.size) {
        throw new Error(
          `adamw: saved moments of parameter ${index} hold ${saved.first.length} values, the parameter ${param.size}`,
        );
      }
      this.moments.set(param, {
        first: tensor(param.engine.gpu, saved.first, param.shape),
        second: tensor(param.engine.gpu, saved.second, param.shape),
      });
    });
  }

  /** Frees the moments. */
  dispose(): void {
    for (const { first, second } of this.moments.values()) {
      first.dispose();
      second.dispose();
    }
    this.moments.clear();
  }

  private momentsOf(param: Tensor): Moments {
    let moments = this.moments.get(param);
    if (!moments) {
      moments = {
        first: zeros(param.engine.gpu, param.shape),
        second: zeros(param.engine.gpu, param.shape),
      };
      this.moments.set(param, moments);
    }
    return moments;
  }
}
