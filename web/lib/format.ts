const EMPTY = '—';

const pad2 = (part: number) => String(part).padStart(2, '0');

export function shortId(id: string): string {
  return id.slice(0, 8);
}

export function formatGflops(gflops: number | undefined): string {
  return gflops === undefined ? EMPTY : gflops.toFixed(1);
}

export function formatPercent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}

/** Tiny or huge values (errors such as 3.1e-7) in exponent form; the rest to 6 significant digits. */
export function formatMetric(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e9)) return value.toExponential(3);
  return value.toLocaleString('en-US', { maximumSignificantDigits: 6 });
}

/** A table cell's figure: 4 significant digits, exponent form for tiny or huge values. */
export function formatCellMetric(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e9)) return value.toExponential(2);
  return value.toLocaleString('en-US', { maximumSignificantDigits: 4 });
}

/** Bytes in binary units: `512 B`, `4.2 MiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** Local date and time as `YYYY-MM-DD HH:MM:SS`; the dashboard runs on the lab's own machine. */
export function formatTimestamp(iso: string | null): string {
  if (iso === null) return EMPTY;
  const date = new Date(iso);
  const day = `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())}`;
  return `${day} ${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}`;
}

/** Time from start to finish, or to `now` while the run is still going; `—` before it starts. */
export function formatRunDuration(
  startedAt: string | null,
  finishedAt: string | null,
  now: number,
): string {
  if (startedAt === null) return EMPTY;
  const end = finishedAt === null ? now : Date.parse(finishedAt);
  return formatDuration(Math.max(0, end - Date.parse(startedAt)));
}

function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const totalSeconds = Math.floor(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  return hours > 0 ? `${hours}h ${pad2(minutes)}m` : `${minutes}m ${pad2(seconds)}s`;
}
