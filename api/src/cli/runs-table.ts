/** One row of `lab runs`: what the API answered for a run. */
export interface ListedRun {
  id: string;
  kind: string;
  status: string;
  queuedAt: string;
  error: string | null;
  metrics: { key: string; value: number }[];
}

/** The digits of a run id `lab runs` shows; `lab watch` and the dashboard accept them. */
export const SHORT_ID_LENGTH = 8;

/** A metric value with 4 significant digits, without float noise such as 0.30000000000000004. */
export function formatMetricValue(value: number): string {
  return String(Number(value.toPrecision(4)));
}

/** The first line of a run's error, cut to `width` characters. */
function failureReason(error: string, width: number): string {
  const firstLine = error.trim().split('\n', 1)[0] ?? '';
  return firstLine.length > width ? `${firstLine.slice(0, width - 1)}…` : firstLine;
}

const REASON_WIDTH = 100;

/**
 * The runs as aligned text columns (short id, kind, status, queued, metrics), each column as wide
 * as its longest cell; a failed run's reason on the line under it.
 */
export function formatRunsTable(runs: ListedRun[]): string[] {
  const cells = runs.map((run) => [
    run.id.slice(0, SHORT_ID_LENGTH),
    run.kind,
    run.status,
    run.queuedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
  ]);
  const header = ['ID', 'KIND', 'STATUS', 'QUEUED'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...cells.map((row) => row[column]!.length)),
  );
  const line = (row: string[], metrics: string) =>
    [...row.map((cell, column) => cell.padEnd(widths[column]!)), metrics].join('  ').trimEnd();
  const lines = [line(header, 'METRICS')];
  runs.forEach((run, i) => {
    const metrics = run.metrics.map((m) => `${m.key}=${formatMetricValue(m.value)}`).join(' ');
    lines.push(line(cells[i]!, metrics));
    if (run.status === 'FAILED' && run.error) {
      lines.push(`${' '.repeat(widths[0]! + 2)}error: ${failureReason(run.error, REASON_WIDTH)}`);
    }
  });
  return lines;
}
