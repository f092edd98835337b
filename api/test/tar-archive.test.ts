import { describe, expect, it } from 'vitest';
import {
  TAR_END,
  tarEntryBytes,
  tarEntryHeader,
  tarPadding,
} from '../../api/src/files/tar-archive.ts';

const text = (block: Uint8Array, offset: number, length: number) =>
  Buffer.from(block.subarray(offset, offset + length))
    .toString('latin1')
    .replace(/\0.*$/s, '');

/** A header block's checksum, as a reader computes it: its field counted as spaces. */
function checksumHolds(block: Uint8Array): boolean {
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : block[i]!;
  return parseInt(text(block, 148, 8).trim(), 8) === sum;
}

/** The pax records of an extended header's data, each checked to count its own length. */
function paxRecords(data: string): Record<string, string> {
  const records: Record<string, string> = {};
  let rest = Buffer.from(data, 'utf8');
  while (rest.length > 0) {
    const length = Number(rest.subarray(0, rest.indexOf(0x20)).toString());
    const record = rest.subarray(0, length).toString('utf8');
    expect(record.endsWith('\n')).toBe(true);
    const [key, value] = record.slice(record.indexOf(' ') + 1, -1).split(/=(.*)/s);
    records[key!] = value!;
    rest = rest.subarray(length);
  }
  return records;
}

describe('tar headers for streamed folder archives', () => {
  it('writes one ustar block for a short ASCII name and a size under 8 GiB', () => {
    const header = tarEntryHeader('step-4/config.json', 1234, 1_700_000_000);
    expect(header.length).toBe(512);
    expect(text(header, 0, 100)).toBe('step-4/config.json');
    expect(parseInt(text(header, 124, 12), 8)).toBe(1234);
    expect(parseInt(text(header, 136, 12), 8)).toBe(1_700_000_000);
    expect(text(header, 156, 1)).toBe('0');
    expect(text(header, 257, 6)).toBe('ustar');
    expect(checksumHolds(header)).toBe(true);
    expect(tarEntryBytes(header, 1234)).toBe(512 + 1536);
    expect(tarPadding(512).length).toBe(0);
    expect(TAR_END.length).toBe(1024);
  });

  it.each([
    { what: 'a name over 100 bytes', name: `m/${'x'.repeat(150)}`, size: 10, records: ['path'] },
    { what: 'a non-ASCII name', name: 'm/notes-é.txt', size: 10, records: ['path'] },
    { what: 'a size of 8 GiB', name: 'm/model.safetensors', size: 2 ** 33, records: ['size'] },
  ])('adds a pax record for $what', ({ name, size, records }) => {
    const header = tarEntryHeader(name, size, 0);
    expect(text(header, 156, 1)).toBe('x');
    const dataBytes = parseInt(text(header, 124, 12), 8);
    const data = Buffer.from(header.subarray(512, 512 + dataBytes)).toString('utf8');
    const parsed = paxRecords(data);
    expect(Object.keys(parsed)).toEqual(records);
    if (parsed.path !== undefined) expect(parsed.path).toBe(name);
    if (parsed.size !== undefined) expect(Number(parsed.size)).toBe(size);
    const fileHeader = header.subarray(header.length - 512);
    expect(text(fileHeader, 156, 1)).toBe('0');
    expect(checksumHolds(header.subarray(0, 512))).toBe(true);
    expect(checksumHolds(fileHeader)).toBe(true);
    expect((header.length - 1024) % 512).toBe(0);
  });
});
