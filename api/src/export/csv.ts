/** One CSV record (RFC 4180): fields with commas, quotes or line breaks quoted, CRLF ended. */
export function csvLine(fields: readonly string[]): string {
  return `${fields.map((field) => (/[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field)).join(',')}\r\n`;
}
