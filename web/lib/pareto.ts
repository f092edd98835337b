export interface PlanePoint {
  x: number;
  y: number;
}

/**
 * The points no other point beats on both axes (higher x is better; higher y unless
 * `lowerYIsBetter`), sorted by x: the speed/quality trade-offs worth looking at.
 */
export function paretoFront<T extends PlanePoint>(points: T[], lowerYIsBetter = false): T[] {
  const sign = lowerYIsBetter ? -1 : 1;
  const byX = [...points].sort((a, b) => b.x - a.x || sign * (b.y - a.y));
  const front: T[] = [];
  let bestY = -Infinity;
  for (const point of byX) {
    if (sign * point.y > bestY) {
      front.push(point);
      bestY = sign * point.y;
    }
  }
  return front.reverse();
}
