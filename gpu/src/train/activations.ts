import { isGradEnabled } from '../ops/grad-mode.ts';
import type { Tensor } from '../tensor/tensor.ts';

/**
 * The intermediates of one forward pass. Without gradients nothing will read them again, so each
 * is freed as soon as the forward pass is done with it; with gradients, backward frees those on
 * its tape as it goes, and `dispose` (after backward) frees any the tape does not hold, such as
 * outputs computed only from frozen parameters.
 */
export class Activations {
  private readonly held = new Set<Tensor>();
  private readonly owned: { dispose(): void }[] = [];
  private readonly eager = !isGradEnabled();

  /** Keeps `thing` (e.g. an expert grouping backward reads) until `dispose`, even when eager. */
  own<T extends { dispose(): void }>(thing: T): T {
    this.owned.push(thing);
    return thing;
  }

  /** Records `output` as this pass's to free. */
  track<T extends Tensor>(output: T): T {
    this.held.add(output);
    return output;
  }

  /** Stops tracking `output`: whoever asked for it frees it. */
  handOver<T extends Tensor>(output: T): T {
    this.held.delete(output);
    return output;
  }

  /** The forward pass will not read these again. */
  release(...done: Tensor[]): void {
    if (!this.eager) return;
    for (const tensor of done) {
      if (!this.held.delete(tensor)) continue;
      tensor.dispose();
    }
  }

  /** Frees what is left but `keep` (e.g. the loss). */
  dispose(keep?: Tensor): void {
    for (const tensor of this.held) if (tensor !== keep) tensor.dispose();
    this.held.clear();
    for (const thing of this.owned.splice(0)) thing.dispose();
  }
}
