import type { Engine } from '../runtime/engine.ts';
import { WORKGROUP_SIZE } from './wgsl.ts';

const SUBGROUP_DIRECTIVES = ['enable subgroups;', 'diagnostic(off, subgroup_uniformity);'];

/** Output rows per workgroup: 16 shared by subgroups, or one per invocation without them. */
export function rowsPerWorkgroup(subgroups: boolean): number {
  return subgroups ? 16 : WORKGROUP_SIZE;
}

export function hasSubgroups(engine: Engine): boolean {
  return engine.device.features.has('subgroups');
}

export function rowReductionDirectives(subgroups: boolean): readonly string[] {
  return subgroups ? SUBGROUP_DIRECTIVES : [];
}

/**
 * `fn main` for kernels that reduce along rows of a matrix: each subgroup takes whole rows, its
 * lanes stride along the row (`for (var i = lane; i < n; i += width)`), so neighbouring lanes read
 * neighbouring weights, and `rowSum` finishes the row. Without subgroups each invocation is a
 * "subgroup" of width one. The body runs once per `row` below ROWS of this workgroup's block
 * starting at `first`, with `item` = workgroup_id.z (a token, or a token's chosen expert).
 */
export function rowReductionMain(subgroups: boolean, body: string, helpers = ''): string {
  const rows = rowsPerWorkgroup(subgroups);
  const lanes = subgroups
    ? `@builtin(subgroup_invocation_id) lane: u32,
  @builtin(subgroup_size) width: u32,`
    : '';
  const portableLanes = subgroups ? '' : 'let lane = 0u;\n  let width = 1u;';
  return /* wgsl */ `
${helpers}
fn rowSum(value: f32) -> f32 { return ${subgroups ? 'subgroupAdd(value)' : 'value'}; }

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(
  @builtin(workgroup_id) workgroup: vec3u,
  @builtin(num_workgroups) workgroupCount: vec3u,
  @builtin(local_invocation_index) local: u32,
  ${lanes}
) {
  ${portableLanes}
  let first = (workgroup.x + workgroup.y * workgroupCount.x) * ${rows}u;
  let item = workgroup.z;
  for (var slice = local / width; slice < ${rows}u; slice += ${WORKGROUP_SIZE}u / width) {
    let row = first + slice;
${body}
  }
}`;
}
