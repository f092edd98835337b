export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  return shape.reduce((product, dim) => product * dim, 1);
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((dim, index) => dim === b[index]);
}

export function isValidShape(shape: Shape): boolean {
  return shape.every((dim) => Number.isInteger(dim) && dim > 0);
}
