/**
 * `rows` under `header` as lines of aligned columns, two spaces apart: the first `labelColumns`
 * aligned left, the rest (numbers) right. A row shorter than the header ends in a note that runs
 * on past the columns it covers.
 */
export function textTable(header: string[], rows: string[][], labelColumns: number): string {
  const fullRows = [header, ...rows.filter((row) => row.length === header.length)];
  const widths = header.map((_, column) => Math.max(...fullRows.map((row) => row[column]!.length)));
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, column) => {
          if (row.length < header.length && column === row.length - 1) return cell;
          return column < labelColumns
            ? cell.padEnd(widths[column]!)
            : cell.padStart(widths[column]!);
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
