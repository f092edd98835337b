import { ModelTokenizer, parseModelConfig } from '../../model/index.ts';

/**
 * Opens the tokenizer in `directory` with the lab's own loader (the one models use). The loader
 * checks ids against a model's config.json; only its vocab_size is read, so the other fields
 * describe a placeholder model.
 */
export async function openLabTokenizer(
  directory: string,
  vocabSize: number,
): Promise<ModelTokenizer> {
  const config = parseModelConfig(
    {
      vocab_size: vocabSize,
      hidden_size: 1,
      intermediate_size: 1,
      num_hidden_layers: 1,
      num_attention_heads: 1,
      max_position_embeddings: 1,
    },
    'config.json',
  );
  return ModelTokenizer.open(directory, config);
}
