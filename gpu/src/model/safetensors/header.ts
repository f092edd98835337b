import {
  isSafetensorsDType,
  SAFETENSORS_DTYPE_BYTES,
  SAFETENSORS_DTYPES,
  type SafetensorsDType,
} from './dtype.ts';

/** Bytes before the header: its length, a little-endian u64. */
export const HEADER_LENGTH_BYTES = 8;
/** Hugging Face's reader refuses headers over 100 MB; so does this one, before allocating. */
export const MAX_HEADER_BYTES = 100_000_000;
export const METADATA_KEY = '__metadata__';

export interface SafetensorsTensorInfo {
  readonly dtype: SafetensorsDType;
  readonly shape: readonly number[];
  /** Offsets of the tensor's bytes, relative to the start of the data section. */
  readonly begin: number;
  readonly end: number;
}

export interface SafetensorsHeader {
  readonly tensors: ReadonlyMap<string, SafetensorsTensorInfo>;
  readonly metadata: Readonly<Record<string, string>>;
}

/** Thrown with the problem only; the reader prefixes the file. */
export class HeaderError extends Error {}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, dim) => product * dim, 1);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonNegativeInteger(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function parseMetadata(value: unknown): Record<string, string> {
  if (!isPlainObject(value) || !Object.values(value).every((item) => typeof item === 'string'))
    throw new HeaderError(`"${METADATA_KEY}" must be an object of strings`);
  return value as Record<string, string>;
}

function parseTensorInfo(name: string, value: unknown, dataBytes: number): SafetensorsTensorInfo {
  const where = `tensor "${name}"`;
  if (!isPlainObject(value)) throw new HeaderError(`${where}: entry is not an object`);
  const { dtype, shape, data_offsets: offsets } = value;
  if (!isSafetensorsDType(dtype))
    throw new HeaderError(
      `${where}: dtype ${JSON.stringify(dtype)} is not supported (supported: ${SAFETENSORS_DTYPES.join(', ')})`,
    );
  if (!Array.isArray(shape) || !shape.every(isNonNegativeInteger))
    throw new HeaderError(
      `${where}: shape ${JSON.stringify(shape)} must be a list of non-negative integers`,
    );
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInteger))
    throw new HeaderError(
      `${where}: data_offsets ${JSON.stringify(offsets)} must be two non-negative integers`,
    );
  const [begin, end] = offsets as [number, number];
  if (begin > end)
    throw new HeaderError(`${where}: data_offsets [${begin}, ${end}] begin after they end`);
  if (end > dataBytes)
    throw new HeaderError(
      `${where}: data_offsets [${begin}, ${end}] run past the end of the data (${dataBytes} bytes)`,
    );
  const expectedBytes = elementCount(shape) * SAFETENSORS_DTYPE_BYTES[dtype];
  if (end - begin !== expectedBytes)
    throw new HeaderError(
      `${where}: data_offsets [${begin}, ${end}] hold ${end - begin} bytes, but ${dtype} ` +
        `[${shape.join(', ')}] needs ${expectedBytes}`,
    );
  return { dtype, shape, begin, end };
}

/**
 * Tensors must tile the data section exactly, as Hugging Face's own reader demands: an overlap
 * would alias two tensors, and a gap or trailing bytes would hide data nobody validated.
 */
function checkContiguous(tensors: Map<string, SafetensorsTensorInfo>, dataBytes: number): void {
  const byOffset = [...tensors].sort(([, a], [, b]) => a.begin - b.begin || a.end - b.end);
  let expectedBegin = 0;
  let previous = '';
  for (const [name, { begin, end }] of byOffset) {
    if (begin < expectedBegin) throw new HeaderError(`tensors "${previous}" and "${name}" overlap`);
    if (begin > expectedBegin)
      throw new HeaderError(`${begin - expectedBegin} unused bytes before tensor "${name}"`);
    expectedBegin = end;
    previous = name;
  }
  if (expectedBegin !== dataBytes)
    throw new HeaderError(
      `${dataBytes - expectedBegin} bytes after the last tensor belong to no tensor`,
    );
}

/** Parses and checks the JSON header of a file whose data section holds `dataBytes` bytes. */
export function parseHeader(json: string, dataBytes: number): SafetensorsHeader {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new HeaderError('header is not valid JSON');
  }
  if (!isPlainObject(parsed)) throw new HeaderError('header is not a JSON object');
  let metadata: Record<string, string> = {};
  const tensors = new Map<string, SafetensorsTensorInfo>();
  for (const [name, value] of Object.entries(parsed)) {
    if (name === METADATA_KEY) metadata = parseMetadata(value);
    else tensors.set(name, parseTensorInfo(name, value, dataBytes));
  }
  checkContiguous(tensors, dataBytes);
  return { tensors, metadata };
}
