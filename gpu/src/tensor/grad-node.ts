import type { Tensor } from './tensor.ts';

/** One recorded op application: an entry of the tape, ordered by `sequence`. */
export interface GradNode {
  readonly sequence: number;
  /** The registered op's name. */
  readonly op: string;
  readonly inputs: readonly Tensor[];
  readonly attrs: unknown;
  readonly saved: readonly Tensor[];
}
