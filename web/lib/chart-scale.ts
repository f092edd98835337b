/** A closed numeric interval, lo <= hi. */
export interface Extent {
  lo: number;
  hi: number;
}

/** The smallest and largest finite value, or null when there is none. */
export function extentOf(values: Iterable<number>): Extent | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const value of values) {
    if (!Number.isFinite(value)) continue;
    lo = Math.min(lo, value);
    hi = Math.max(hi, value);
  }
  return lo <= hi ? { lo, hi } : null;
}

/** Widens a single-value extent so a flat line or a lone point lands mid-axis. */
export function padFlat(extent: Extent): Extent {
  if (extent.hi > extent.lo) return extent;
  const pad = extent.lo === 0 ? 1 : Math.abs(extent.lo) * 0.05;
  return { lo: extent.lo - pad, hi: extent.hi + pad };
}

/** Widens an extent by `fraction` of its span on each side, so points off the edge stay whole. */
export function padExtent(extent: Extent, fraction: number): Extent {
  const flat = padFlat(extent);
  const pad = (flat.hi - flat.lo) * fraction;
  return { lo: flat.lo - pad, hi: flat.hi + pad };
}

/** Maps `domain` linearly onto `range` (pixels; range.lo may exceed range.hi for a y axis). */
export function linearScale(
  domain: Extent,
  range: { from: number; to: number },
): (value: number) => number {
  const span = domain.hi - domain.lo;
  return (value) =>
    span === 0
      ? (range.from + range.to) / 2
      : range.from + ((value - domain.lo) / span) * (range.to - range.from);
}

/** Round-numbered tick values (1, 2 or 5 times a power of ten apart) covering `extent`. */
export function niceTicks(extent: Extent, count = 5): number[] {
  const span = extent.hi - extent.lo;
  if (!(span > 0) || !Number.isFinite(span)) return [extent.lo];
  const rough = span / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((candidate) => candidate >= rough)!;
  const ticks: number[] = [];
  for (
    let tick = Math.ceil(extent.lo / step) * step;
    tick <= extent.hi + step * 1e-9;
    tick += step
  ) {
    // Repeated addition drifts (0.30000000000000004); round to the step's precision.
    ticks.push(Number(tick.toPrecision(12)));
  }
  return ticks;
}

/** A tick label short enough for an axis: 1.2k, 0.35, 3e-5. */
export function formatTick(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude === 0) return '0';
  if (magnitude >= 1e6 || magnitude < 1e-3) return value.toExponential(1);
  if (magnitude >= 1e4) return `${Number((value / 1000).toPrecision(3))}k`;
  return String(Number(value.toPrecision(4)));
}
