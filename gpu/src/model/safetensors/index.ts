export { SAFETENSORS_DTYPES, decodeValues, encodeValues } from './dtype.ts';
export type { SafetensorsDType } from './dtype.ts';
export { MAX_HEADER_BYTES } from './header.ts';
export type { SafetensorsHeader, SafetensorsTensorInfo } from './header.ts';
export { SafetensorsFile } from './reader.ts';
export { writeSafetensors } from './writer.ts';
export type { SafetensorsEntry } from './writer.ts';
