import { spawnSync } from 'node:child_process';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Checkpoint, ModelTokenizer } from '../../src/index.ts';
import { TINY_CONFIG, useTemporaryFolders } from './files.ts';

const temporaryFolder = useTemporaryFolders();

function lab(...args: string[]) {
  return spawnSync(process.execPath, ['api/bin/lab.js', ...args], {
    encoding: 'utf8',
    timeout: 30_000,
  });
}

describe('lab init-model', () => {
  it('writes a checkpoint folder the reader accepts', async () => {
    const folder = await temporaryFolder();
    const config = join(folder, 'in.json');
    await writeFile(config, JSON.stringify({ ...TINY_CONFIG, tie_word_embeddings: true }));
    const out = join(folder, 'model');
    const result = lab(
      'init-model',
      '--config',
      config,
      '--out',
      out,
      '--dtype',
      'f16',
      '--seed',
      '7',
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      `wrote ${out}: 20 tensors, 4432 parameters (f16)\n` +
        "no tokenizer: vocab_size 32 is under the byte tokenizer's 259 tokens\n",
    );
    expect((await readdir(out)).sort()).toEqual(['config.json', 'model.safetensors']);
    const checkpoint = await Checkpoint.open(out);
    try {
      expect(checkpoint.config.torch_dtype).toBe('float16');
      expect(checkpoint.info('model.embed_tokens.weight').dtype).toBe('F16');
    } finally {
      await checkpoint.close();
    }
  });

  it('writes a byte-level tokenizer beside the weights when the vocabulary has room', async () => {
    const folder = await temporaryFolder();
    const config = join(folder, 'in.json');
    await writeFile(config, JSON.stringify({ ...TINY_CONFIG, vocab_size: 260 }));
    const out = join(folder, 'model');
    const result = lab('init-model', '--config', config, '--out', out);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      `wrote ${out}: 21 tensors, 12240 parameters (f32)\n` +
        `wrote ${out}: byte-level tokenizer, 259 tokens\n`,
    );
    expect((await readdir(out)).sort()).toEqual([
      'config.json',
      'model.safetensors',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    const checkpoint = await Checkpoint.open(out);
    try {
      const tokenizer = await ModelTokenizer.open(out, checkpoint.config);
      const ids = tokenizer.encode('héllo 👋');
      expect(ids[0]).toBe(tokenizer.bosTokenId);
      expect(tokenizer.decode(ids, { skipSpecialTokens: true })).toBe('héllo 👋');
    } finally {
      await checkpoint.close();
    }
  });

  it('reports a malformed config as one error line and a non-zero exit', async () => {
    const folder = await temporaryFolder();
    const config = join(folder, 'in.json');
    await writeFile(config, JSON.stringify({ ...TINY_CONFIG, rope_scaling: { type: 'linear' } }));
    const result = lab('init-model', '--config', config, '--out', join(folder, 'model'));
    expect(result.status).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `error: ${config}: rope_scaling.rope_type: type "linear" is not supported (supported: llama3)\n`,
    );
    expect(await readdir(folder)).toEqual(['in.json']);
  });
});
