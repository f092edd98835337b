/**
 * The headers of a POSIX tar (ustar, with pax records for long or non-ASCII names and files of
 * 8 GiB or more), for streaming a folder as one archive without writing it anywhere: a caller
 * sends each entry's header, its bytes and its padding, then `TAR_END`.
 */

const BLOCK = 512;
/** The largest size the 11 octal digits of a ustar header hold (8 GiB - 1). */
const USTAR_MAX_SIZE = 0o77777777777;
const USTAR_NAME_BYTES = 100;

/** Two zero blocks: the end of an archive. */
export const TAR_END: Uint8Array = new Uint8Array(2 * BLOCK);

/** Zero bytes after an entry of `size` bytes, up to the next block. */
export function tarPadding(size: number): Uint8Array {
  return new Uint8Array((BLOCK - (size % BLOCK)) % BLOCK);
}

function writeText(block: Buffer, offset: number, length: number, text: string): void {
  block.write(text, offset, length, 'utf8');
}

function writeOctal(block: Buffer, offset: number, length: number, value: number): void {
  writeText(block, offset, length, `${value.toString(8).padStart(length - 1, '0')}\0`);
}

/** One 512-byte ustar header: a regular file (`0`) or a pax extended header (`x`). */
function ustarHeader(name: string, size: number, mtime: number, type: '0' | 'x'): Buffer {
  const block = Buffer.alloc(BLOCK);
  writeText(block, 0, USTAR_NAME_BYTES, name);
  writeOctal(block, 100, 8, 0o644);
  writeOctal(block, 108, 8, 0); // uid
  writeOctal(block, 116, 8, 0); // gid
  writeOctal(block, 124, 12, Math.min(size, USTAR_MAX_SIZE));
  writeOctal(block, 136, 12, mtime);
  block.fill(' ', 148, 156); // the checksum counts its own field as spaces
  writeText(block, 156, 1, type);
  writeText(block, 257, 6, 'ustar\0');
  writeText(block, 263, 2, '00');
  let sum = 0;
  for (const byte of block) sum += byte;
  writeText(block, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return block;
}

/** A pax record, `"<length> <key>=<value>\n"`, whose length counts its own digits. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyBytes = Buffer.byteLength(body);
  let digits = String(bodyBytes).length;
  if (String(bodyBytes + digits).length > digits) digits += 1;
  return `${bodyBytes + digits}${body}`;
}

/** `name` cut to the ustar field's bytes and to ASCII, for readers that ignore pax records. */
function ustarName(name: string): string {
  return name.replace(/[^\x20-\x7e]/g, '_').slice(0, USTAR_NAME_BYTES);
}

/**
 * The header blocks of a regular file `name` (slash-separated, relative) of `size` bytes: one
 * block, or three when the name or size needs a pax record. `mtime` is in seconds.
 */
export function tarEntryHeader(name: string, size: number, mtime: number): Uint8Array {
  const plainName = ustarName(name) === name;
  if (plainName && size <= USTAR_MAX_SIZE) return ustarHeader(name, size, mtime, '0');
  const records =
    (plainName ? '' : paxRecord('path', name)) +
    (size <= USTAR_MAX_SIZE ? '' : paxRecord('size', String(size)));
  const recordBytes = Buffer.from(records, 'utf8');
  return Buffer.concat([
    ustarHeader(ustarName(`PaxHeader/${name}`), recordBytes.length, mtime, 'x'),
    recordBytes,
    tarPadding(recordBytes.length),
    ustarHeader(ustarName(name), size, mtime, '0'),
  ]);
}

/** The bytes an entry takes in the archive: its header blocks, its bytes and padding. */
export function tarEntryBytes(header: Uint8Array, size: number): number {
  return header.length + size + tarPadding(size).length;
}
