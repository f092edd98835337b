/**
 * A cell a spreadsheet would run as a formula (=, +, -, @, tab or CR first) gets a leading `'`,
 * as OWASP advises for CSV exports; numbers such as -1.5 stay as they are.
 */
function defuseFormula(field: string): string {
  return /^[=+\-@\t\r]/.test(field) && !Number.isFinite(Number(field)) ? `'${field}` : field;
}

/** One CSV record (RFC 4180): fields with commas, quotes or line breaks quoted, CRLF ended. */
export function csvLine(fields: readonly string[]): string {
  const cells = fields
    .map(defuseFormula)
    .map((field) => (/[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field));
  return `${cells.join(',')}\r\n`;
}
