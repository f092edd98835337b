import { writeFileAtomically } from '../atomic-write.ts';
import { SAFETENSORS_DTYPE_BYTES, type SafetensorsDType } from './dtype.ts';
import { elementCount, HEADER_LENGTH_BYTES, METADATA_KEY } from './header.ts';

/** One tensor to write; `encode` is called once, when its turn comes, so tensors stream to disk. */
export interface SafetensorsEntry {
  readonly name: string;
  readonly dtype: SafetensorsDType;
  readonly shape: readonly number[];
  readonly encode: () => Uint8Array;
}

/** Hugging Face pads the header with spaces so the data starts 8-byte aligned. */
const HEADER_ALIGNMENT = 8;

function headerBytes(entries: readonly SafetensorsEntry[], metadata: Record<string, string>) {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header[METADATA_KEY] = metadata;
  let offset = 0;
  for (const { name, dtype, shape } of entries) {
    const byteLength = elementCount(shape) * SAFETENSORS_DTYPE_BYTES[dtype];
    header[name] = { dtype, shape, data_offsets: [offset, offset + byteLength] };
    offset += byteLength;
  }
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = Buffer.alloc(Math.ceil(json.length / HEADER_ALIGNMENT) * HEADER_ALIGNMENT, ' ');
  json.copy(padded);
  const length = Buffer.alloc(HEADER_LENGTH_BYTES);
  length.writeBigUInt64LE(BigInt(padded.length));
  return Buffer.concat([length, padded]);
}

/** Writes a safetensors file atomically, tensors in name order so equal inputs give equal bytes. */
export async function writeSafetensors(
  path: string,
  entries: readonly SafetensorsEntry[],
  metadata: Record<string, string> = {},
): Promise<void> {
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (let index = 1; index < sorted.length; index++)
    if (sorted[index]!.name === sorted[index - 1]!.name)
      throw new Error(`${path}: tensor "${sorted[index]!.name}" is given twice`);
  await writeFileAtomically(path, async (handle) => {
    await handle.writeFile(headerBytes(sorted, metadata));
    for (const { name, dtype, shape, encode } of sorted) {
      const bytes = encode();
      const expected = elementCount(shape) * SAFETENSORS_DTYPE_BYTES[dtype];
      if (bytes.length !== expected)
        throw new Error(
          `${path}: tensor "${name}" encodes to ${bytes.length} bytes, ${dtype} [${shape.join(', ')}] needs ${expected}`,
        );
      await handle.writeFile(bytes);
    }
  });
}
