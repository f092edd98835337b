import { withValidation } from './error-scope.ts';

/** An empty storage buffer that the queue can write to. */
export function createStorageBuffer(
  device: GPUDevice,
  label: string,
  byteLength: number,
  extraUsage: GPUBufferUsageFlags = 0,
): GPUBuffer {
  return device.createBuffer({
    label,
    size: byteLength,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | extraUsage,
  });
}

/** A uniform buffer holding `values` as u32s. */
export function createUniformBuffer(device: GPUDevice, label: string, values: number[]): GPUBuffer {
  const buffer = device.createBuffer({
    label,
    // Uniform structs round up to 16 bytes.
    size: Math.ceil(values.length / 4) * 16,
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  });
  device.queue.writeBuffer(buffer, 0, new Uint32Array(values));
  return buffer;
}

/** Copies `source` into a mappable buffer and returns its contents as f32s. */
export async function readFloat32(device: GPUDevice, source: GPUBuffer): Promise<Float32Array> {
  const staging = device.createBuffer({
    label: `${source.label} readback`,
    size: source.size,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  try {
    // After an invalid copy, mapAsync would still resolve, with stale data.
    await withValidation(device, `reading ${source.label}`, () => {
      const encoder = device.createCommandEncoder();
      encoder.copyBufferToBuffer(source, 0, staging, 0, source.size);
      device.queue.submit([encoder.finish()]);
    });
    await staging.mapAsync(GPUMapMode.READ);
    // The mapped range detaches on unmap, so copy it out first.
    return new Float32Array(staging.getMappedRange().slice(0));
  } finally {
    staging.destroy();
  }
}
