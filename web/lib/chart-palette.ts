/** Line colors for overlaid series, distinguishable and readable on white; cycles past eight. */
const PALETTE = [
  '#2f5fd0',
  '#d0632f',
  '#1f9d55',
  '#a33ea1',
  '#c29a00',
  '#0f8b9c',
  '#c0392b',
  '#5b6475',
] as const;

export function seriesColor(index: number): string {
  return PALETTE[index % PALETTE.length]!;
}
