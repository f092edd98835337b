import { describe, expect, it } from 'vitest';
import { csvLine } from '../../api/src/graphql/export/csv.ts';

describe('csvLine', () => {
  it('quotes commas, quotes and line breaks, and ends records with CRLF', () => {
    expect(csvLine(['a', 'b,c', 'say "hi"', 'x\ny'])).toBe('a,"b,c","say ""hi""","x\ny"\r\n');
  });

  it.each([
    ['=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ['+cmd', "'+cmd"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['-x', "'-x"],
  ])('defuses the formula %s', (field, cell) => {
    expect(csvLine([field])).toBe(`${cell}\r\n`);
  });

  it('leaves numbers, negative ones included, as they are', () => {
    expect(csvLine(['-1.5', '+2', '3e-7'])).toBe('-1.5,+2,3e-7\r\n');
  });
});
