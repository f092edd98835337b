import { open, type FileHandle } from 'node:fs/promises';
import { ModelFileError } from '../model-file-error.ts';
import { decodeValues } from './dtype.ts';
import {
  HEADER_LENGTH_BYTES,
  HeaderError,
  MAX_HEADER_BYTES,
  parseHeader,
  type SafetensorsHeader,
  type SafetensorsTensorInfo,
} from './header.ts';

/** One read call moves at most 2 GiB - 1 in Node; a large embedding (70B Llama: 2.1 GB) needs several. */
const MAX_READ_BYTES = 1 << 30;

/** An open safetensors file: its checked header in memory, its tensors read one at a time. */
export class SafetensorsFile {
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private readonly dataStart: number,
    readonly header: SafetensorsHeader,
  ) {}

  /** Opens `path` and checks its header; reads nothing of the tensors' data. */
  static async open(path: string): Promise<SafetensorsFile> {
    const handle = await openFile(path);
    try {
      const { header, dataStart } = await readHeader(path, handle);
      return new SafetensorsFile(path, handle, dataStart, header);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  get tensors(): ReadonlyMap<string, SafetensorsTensorInfo> {
    return this.header.tensors;
  }

  info(name: string): SafetensorsTensorInfo {
    const info = this.header.tensors.get(name);
    if (!info) throw new ModelFileError(this.path, `no tensor "${name}"`);
    return info;
  }

  /**
   * The tensor's bytes as stored (little-endian `info(name).dtype`); with `rows`, only those of
   * its first dimension (a block of a matrix too large to bind at once).
   */
  async readBytes(name: string, rows?: RowRange): Promise<Uint8Array> {
    const info = this.info(name);
    const { begin, end } = rows ? rowBytes(this.path, name, info, rows) : info;
    const bytes = new Uint8Array(end - begin);
    for (let filled = 0; filled < bytes.length;) {
      const length = Math.min(MAX_READ_BYTES, bytes.length - filled);
      const position = this.dataStart + begin + filled;
      const { bytesRead } = await this.handle.read(bytes, filled, length, position);
      if (bytesRead === 0)
        throw new ModelFileError(this.path, `tensor "${name}" is cut short (the file shrank?)`);
      filled += bytesRead;
    }
    return bytes;
  }

  /** The tensor (or `rows` of it) widened to f32, whatever its stored dtype. */
  async readFloat32(name: string, rows?: RowRange): Promise<Float32Array> {
    const { dtype } = this.info(name);
    return decodeValues(await this.readBytes(name, rows), dtype);
  }

  /** The raw half-precision bits of an F16 tensor (or `rows` of it), for f16 engine tensors. */
  async readFloat16Bits(name: string, rows?: RowRange): Promise<Uint16Array> {
    const { dtype } = this.info(name);
    if (dtype !== 'F16')
      throw new ModelFileError(this.path, `tensor "${name}" is ${dtype}, not F16`);
    const bytes = await this.readBytes(name, rows);
    return new Uint16Array(bytes.buffer, 0, bytes.length / 2);
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/** Rows `first` to `first + count` of a tensor's first dimension. */
export interface RowRange {
  first: number;
  count: number;
}

function rowBytes(
  path: string,
  name: string,
  { begin, end, shape }: SafetensorsTensorInfo,
  { first, count }: RowRange,
): { begin: number; end: number } {
  const rows = shape[0] ?? 1;
  if (
    !Number.isInteger(first) ||
    !Number.isInteger(count) ||
    first < 0 ||
    count < 0 ||
    first + count > rows
  )
    throw new ModelFileError(
      path,
      `tensor "${name}" has ${rows} rows; asked for ${first} to ${first + count}`,
    );
  const bytesPerRow = rows === 0 ? 0 : (end - begin) / rows;
  return { begin: begin + first * bytesPerRow, end: begin + (first + count) * bytesPerRow };
}

async function openFile(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ModelFileError(path, code === 'ENOENT' ? 'file not found' : `cannot open (${code})`);
  }
}

async function readHeader(
  path: string,
  handle: FileHandle,
): Promise<{ header: SafetensorsHeader; dataStart: number }> {
  const fileBytes = (await handle.stat()).size;
  if (fileBytes < HEADER_LENGTH_BYTES)
    throw new ModelFileError(
      path,
      `truncated: ${fileBytes} bytes, too short for the 8-byte header length`,
    );
  const lengthBytes = Buffer.alloc(HEADER_LENGTH_BYTES);
  await handle.read(lengthBytes, 0, HEADER_LENGTH_BYTES, 0);
  const headerLength = lengthBytes.readBigUInt64LE(0);
  if (headerLength > BigInt(MAX_HEADER_BYTES))
    throw new ModelFileError(
      path,
      `header length ${headerLength} exceeds the limit of ${MAX_HEADER_BYTES} bytes`,
    );
  const headerBytes = Number(headerLength);
  const dataStart = HEADER_LENGTH_BYTES + headerBytes;
  if (dataStart > fileBytes)
    throw new ModelFileError(
      path,
      `header length ${headerBytes} runs past the end of the file (${fileBytes} bytes)`,
    );
  const json = Buffer.alloc(headerBytes);
  await handle.read(json, 0, headerBytes, HEADER_LENGTH_BYTES);
  try {
    return { header: parseHeader(json.toString('utf8'), fileBytes - dataStart), dataStart };
  } catch (error) {
    if (error instanceof HeaderError) throw new ModelFileError(path, error.message);
    throw error;
  }
}
