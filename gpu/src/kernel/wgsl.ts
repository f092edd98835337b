import type { Workgroups } from '../runtime/engine.ts';

/** Invocations per workgroup in every kernel but matmul. */
export const WORKGROUP_SIZE = 64;
const MAX_WORKGROUPS_PER_DIMENSION = 65_535;

/** Enough workgroups for `count` (invocations or rows), folded into y past the x limit. */
export function grid(count: number, perWorkgroup = WORKGROUP_SIZE): Workgroups {
  const workgroups = Math.max(1, Math.ceil(count / perWorkgroup));
  const x = Math.min(workgroups, MAX_WORKGROUPS_PER_DIMENSION);
  return [x, Math.ceil(workgroups / x)];
}

/**
 * `quietNan()`, the value ops give for out-of-range ids. From a variable: WGSL rejects NaN in a
 * constant expression.
 */
export const QUIET_NAN_WGSL = /* wgsl */ `
fn quietNan() -> f32 {
  var bits = 0x7fc00000u;
  return bitcast<f32>(bits);
}`;

/**
 * `fn main` with one invocation per element: `index` below `params.count`, in workgroups of
 * `size` invocations (dispatch `grid(count, size)`).
 */
export function perElement(body: string, helpers = '', size = WORKGROUP_SIZE): string {
  return /* wgsl */ `
${helpers}
@compute @workgroup_size(${size})
fn main(
  @builtin(global_invocation_id) invocation: vec3u,
  @builtin(num_workgroups) workgroupCount: vec3u,
) {
  let index = invocation.x + invocation.y * workgroupCount.x * ${size}u;
  if (index >= params.count) { return; }
${body}
}`;
}

/**
 * `fn main` with one workgroup per row (`row` below `params.rows`); `lane` strides over the row
 * in steps of `LANES` and `workgroupSum`/`workgroupMax` combine the lanes (call them from every
 * lane).
 */
export function perRow(body: string, helpers = ''): string {
  return /* wgsl */ `
${helpers}
const LANES = ${WORKGROUP_SIZE}u;
var<workgroup> scratch: array<f32, ${WORKGROUP_SIZE}>;

fn workgroupSum(value: f32, lane: u32) -> f32 {
  scratch[lane] = value;
  workgroupBarrier();
  for (var stride = ${WORKGROUP_SIZE / 2}u; stride > 0u; stride >>= 1u) {
    if (lane < stride) { scratch[lane] += scratch[lane + stride]; }
    workgroupBarrier();
  }
  let total = scratch[0];
  workgroupBarrier();
  return total;
}

fn workgroupMax(value: f32, lane: u32) -> f32 {
  scratch[lane] = value;
  workgroupBarrier();
  for (var stride = ${WORKGROUP_SIZE / 2}u; stride > 0u; stride >>= 1u) {
    if (lane < stride) { scratch[lane] = max(scratch[lane], scratch[lane + stride]); }
    workgroupBarrier();
  }
  let total = scratch[0];
  workgroupBarrier();
  return total;
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(
  @builtin(workgroup_id) workgroup: vec3u,
  @builtin(num_workgroups) workgroupCount: vec3u,
  @builtin(local_invocation_index) lane: u32,
) {
  let row = workgroup.x + workgroup.y * workgroupCount.x;
  if (row >= params.rows) { return; }
${body}
}`;
}
