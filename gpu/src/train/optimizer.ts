import { AdamW, type AdamWState } from '../optim/adamw.ts';
import type { Tensor } from '../tensor/tensor.ts';
import type { Parameters } from './parameters.ts';

export interface OptimizerSettings {
  /** Peak learning rate; a schedule scales it step by step. */
  learningRate: number;
  betas: readonly [number, number];
  eps: number;
  /** Decoupled weight decay, applied to matrices only (norm weights and biases are not decayed). */
  weightDecay: number;
}

/** The state of a ModelOptimizer on the host, keyed by parameter name so a resume can check it. */
export interface ModelOptimizerState {
  decayed: { names: string[]; state: AdamWState };
  undecayed: { names: string[]; state: AdamWState };
}

interface Group {
  names: string[];
  optimizer: AdamW;
}

/**
 * AdamW over a model's trainable parameters in two groups, as is usual for transformers and as the
 * PyTorch peer sets it up: matrices with weight decay, vectors (norms, biases) without.
 */
export class ModelOptimizer {
  private readonly decayed: Group;
  private readonly undecayed: Group;

  constructor(parameters: Parameters, settings: OptimizerSettings) {
    const entries = parameters.trainableEntries;
    const group = (matrices: boolean, weightDecay: number): Group => {
      const chosen = entries.filter(([, tensor]) => tensor.shape.length >= 2 === matrices);
      return {
        names: chosen.map(([name]) => name),
        optimizer: new AdamW(
          chosen.map(([, tensor]) => tensor),
          {
            learningRate: settings.learningRate,
            betas: settings.betas,
            eps: settings.eps,
            weightDecay,
          },
        ),
      };
    };
    this.decayed = group(true, settings.weightDecay);
    this.undecayed = group(false, 0);
  }

  get parameters(): Tensor[] {
    return [...this.decayed.optimizer.parameters, ...this.undecayed.optimizer.parameters];
  }

  /** Updates every parameter with a gradient at `learningRate` (encoded, not awaited). */
  step(learningRate: number): void {
    this.decayed.optimizer.step(learningRate);
    this.undecayed.optimizer.step(learningRate);
  }

  zeroGrad(): void {
    this.decayed.optimizer.zeroGrad();
    this.undecayed.optimizer.zeroGrad();
  }

  async state(): Promise<ModelOptimizerState> {
    return {
      decayed: { names: this.decayed.names, state: await this.decayed.optimizer.state() },
      undecayed: { names: this.undecayed.names, state: await this.undecayed.optimizer.state() },
    };
  }

  /** Continues from `saved`, which must cover the same trainable parameters. */
  loadState(saved: ModelOptimizerState): void {
    for (const [group, state] of [
      [this.decayed, saved.decayed],
      [this.undecayed, saved.undecayed],
    ] as const) {
      if (group.names.join('\n') !== state.names.join('\n')) {
        throw new Error(
          'the saved optimizer state is for other trainable parameters ' +
            `(${state.names.length} saved, ${group.names.length} now); resume with the same frozen groups`,
        );
      }
      group.optimizer.loadState(state.state);
    }
  }

  dispose(): void {
    this.decayed.optimizer.dispose();
    this.undecayed.optimizer.dispose();
  }
}
