import type { ModelConfig } from '../model/config.ts';
import type { Engine } from '../runtime/engine.ts';
import { allocateTensor } from '../tensor/create.ts';
import type { LayerCache } from '../ops/fused/positional.ts';

/** Keys and values of every layer for `slots` sequences of up to `capacity` positions each. */
export class KvCache {
  readonly layers: LayerCache[];

  constructor(
    engine: Engine,
    config: ModelConfig,
    readonly slots: number,
    readonly capacity: number,
  ) {
    const shape = [slots, config.num_key_value_heads, capacity, config.head_dim];
    this.layers = Array.from({ length: config.num_hidden_layers }, (_, layer) => ({
      keys: allocateTensor(engine, `kv cache layer ${layer} keys`, shape, 'f32', { pooled: false }),
      values: allocateTensor(engine, `kv cache layer ${layer} values`, shape, 'f32', {
        pooled: false,
      }),
      capacity,
    }));
  }

  dispose(): void {
    for (const layer of this.layers) {
      layer.keys.dispose();
      layer.values.dispose();
    }
  }
}
