/** f32: compute; f16: storage where the device has shader-f16; i32: token ids and targets. */
export type DType = 'f32' | 'f16' | 'i32';

export const BYTES_PER_ELEMENT: Record<DType, number> = { f32: 4, f16: 2, i32: 4 };

export function isFloat(dtype: DType): boolean {
  return dtype !== 'i32';
}
