import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

/** A fresh temporary folder per call, removed after the test. */
export function useTemporaryFolders(): () => Promise<string> {
  const folders: string[] = [];
  afterEach(async () => {
    await Promise.all(folders.splice(0).map((folder) => rm(folder, { recursive: true })));
  });
  return async () => {
    const folder = await mkdtemp(join(tmpdir(), 'factorlab-model-'));
    folders.push(folder);
    return folder;
  };
}

/** Safetensors bytes with any header text, data and declared header length, valid or not. */
export function rawSafetensors(
  header: string,
  data: Uint8Array = new Uint8Array(),
  headerLength: bigint = BigInt(Buffer.byteLength(header)),
): Buffer {
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(headerLength);
  return Buffer.concat([length, Buffer.from(header), data]);
}

export async function writeRaw(path: string, bytes: Uint8Array): Promise<string> {
  await writeFile(path, bytes);
  return path;
}

/** A small GQA Llama config.json body: 2 layers, d 16, f 24, 4 heads over 2 KV heads. */
export const TINY_CONFIG = {
  architectures: ['LlamaForCausalLM'],
  model_type: 'llama',
  vocab_size: 32,
  hidden_size: 16,
  intermediate_size: 24,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  max_position_embeddings: 64,
  rms_norm_eps: 1e-5,
  rope_theta: 10000,
  tie_word_embeddings: false,
};
