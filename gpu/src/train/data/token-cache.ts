import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomically } from '../../model/atomic-write.ts';
import type { SplitName } from './split.ts';

/** Raised version when the corpus treatment or the file layout changes: older caches are rebuilt. */
export const TOKEN_CACHE_FORMAT = 'factorlab-token-stream/1';

const headerSchema = z.object({
  format: z.string(),
  split: z.string(),
  dtype: z.literal('uint16'),
  tokens: z.int().nonnegative(),
  documents: z.int().nonnegative(),
  words: z.int().nonnegative(),
  tokenizerSha256: z.string(),
  streamSha256: z.string(),
});

export type TokenStreamHeader = z.output<typeof headerSchema>;

export interface CachedTokenStream {
  readonly header: TokenStreamHeader;
  readonly tokens: Uint16Array;
}

export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function paths(directory: string, split: SplitName) {
  return { bin: join(directory, `${split}.bin`), header: join(directory, `${split}.json`) };
}

function bytesOf(tokens: Uint16Array): Uint8Array {
  return new Uint8Array(tokens.buffer, tokens.byteOffset, tokens.byteLength);
}

/** Writes `<split>.bin` (little-endian uint16 tokens) and `<split>.json` (its header), bin first. */
export async function writeTokenStream(
  directory: string,
  split: SplitName,
  tokens: Uint16Array,
  details: { documents: number; words: number; tokenizerSha256: string },
): Promise<TokenStreamHeader> {
  const header: TokenStreamHeader = {
    format: TOKEN_CACHE_FORMAT,
    split,
    dtype: 'uint16',
    tokens: tokens.length,
    ...details,
    streamSha256: sha256(bytesOf(tokens)),
  };
  const files = paths(directory, split);
  await writeFileAtomically(files.bin, (handle) => handle.writeFile(bytesOf(tokens)));
  await writeFileAtomically(files.header, (handle) =>
    handle.writeFile(`${JSON.stringify(header, null, 2)}\n`),
  );
  return header;
}

async function readIfPresent(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * The cached stream of `split`, or undefined when there is none or it is stale (another format or
 * tokenizer): the caller rebuilds it. A cache that is damaged (unreadable header, a bin of the
 * wrong length or checksum) is an error naming the folder to delete.
 */
export async function readTokenStream(
  directory: string,
  split: SplitName,
  tokenizerSha256: string,
): Promise<CachedTokenStream | undefined> {
  const files = paths(directory, split);
  const headerText = await readIfPresent(files.header);
  if (headerText === undefined) return undefined;
  const corrupt = (reason: string) =>
    new Error(
      `the token cache ${files.bin} is corrupt (${reason}): delete the folder ${directory} and run again to rebuild it`,
    );
  let header: TokenStreamHeader;
  try {
    header = headerSchema.parse(JSON.parse(headerText.toString('utf8')));
  } catch (error) {
    throw corrupt(`${files.header}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (header.format !== TOKEN_CACHE_FORMAT || header.tokenizerSha256 !== tokenizerSha256)
    return undefined;
  if (header.split !== split) throw corrupt(`its header is for split ${header.split}`);
  const bytes = await readIfPresent(files.bin);
  if (bytes === undefined) throw corrupt('the .bin file is missing');
  if (bytes.length !== header.tokens * 2)
    throw corrupt(`${bytes.length} bytes where the header promises ${header.tokens} uint16 tokens`);
  if (sha256(bytes) !== header.streamSha256)
    throw corrupt('its checksum does not match the header');
  // A copy, so the array starts on an aligned offset whatever Buffer pooling did.
  const tokens = new Uint16Array(header.tokens);
  bytesOf(tokens).set(bytes);
  return { header, tokens };
}
