/**
 * Compiled compute pipelines by key (op name and variant). Shapes travel in uniforms, so the
 * number of entries stays at the number of variants, however many shapes run.
 */
export class PipelineCache {
  private readonly pipelines = new Map<string, GPUComputePipeline>();

  constructor(private readonly device: GPUDevice) {}

  /** The pipeline for `key`, compiling `shader()` on first use (call inside an error scope). */
  get(key: string, shader: () => string): GPUComputePipeline {
    let pipeline = this.pipelines.get(key);
    if (!pipeline) {
      pipeline = this.device.createComputePipeline({
        label: key,
        layout: 'auto',
        compute: {
          module: this.device.createShaderModule({ label: key, code: shader() }),
          entryPoint: 'main',
        },
      });
      this.pipelines.set(key, pipeline);
    }
    return pipeline;
  }

  get size(): number {
    return this.pipelines.size;
  }
}
