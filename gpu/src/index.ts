export { acquireGpu, BACKEND_ENV, CPU_THREADS_ENV, NoAdapterError } from './runtime/device.ts';
export type { AcquireGpuOptions, Gpu } from './runtime/device.ts';
export type { DeviceInfo } from './runtime/device-info.ts';
export {
  AdapterKindError,
  adapterKindFromEnv,
  adapterKindOf,
  requireAdapterKind,
  WORKER_ADAPTER_ENV,
} from './runtime/adapter-kind.ts';
export type { AdapterKind } from './runtime/adapter-kind.ts';
export { withValidation } from './runtime/error-scope.ts';
export { createMatmulRunner, matmul } from './ops/matmul.ts';
export type { MatmulOptions, MatmulRunner, MatmulShape } from './ops/matmul.ts';
export type { MatmulKernel } from './ops/matmul-plan.ts';
export { MATMUL_KERNELS } from './ops/matmul-plan.ts';
export type {
  ArtifactKind,
  ArtifactReport,
  BenchmarkReport,
  JobDefinition,
  JobResult,
  Reporter,
  ResumePoint,
} from './jobs/job.ts';
export { getJob, jobCatalogue } from './jobs/catalogue.ts';
export type { JobKind } from './jobs/catalogue.ts';
export { SELFTEST_TOLERANCE, selftestConfigSchema, selftestJob } from './jobs/selftest.ts';
export type { SelftestConfig } from './jobs/selftest.ts';
export { inferenceBenchConfigSchema, inferenceBenchJob } from './jobs/inference-bench.ts';
export type { InferenceBenchConfig } from './jobs/inference-bench.ts';
export {
  parseMatmulKernels,
  parseMatmulSizes,
  runKernelBenchmark,
} from './bench/kernel-benchmark.ts';
export type {
  KernelBenchmarkOptions,
  KernelBenchmarkResult,
  MatmulResult,
  Skipped,
} from './bench/kernel-benchmark.ts';
export { formatKernelReport } from './bench/kernel-report.ts';
export { Tensor } from './tensor/tensor.ts';
export { tensor, zeros } from './tensor/create.ts';
export type { TensorOptions } from './tensor/create.ts';
export type { DType } from './tensor/dtype.ts';
export type { Shape } from './tensor/shape.ts';
export * from './ops/index.ts';
export { backward } from './autograd/backward.ts';
export type { BackwardOptions } from './autograd/backward.ts';
export { noGrad } from './ops/grad-mode.ts';
export { Engine, engineFor } from './runtime/engine.ts';
export { AdamW } from './optim/adamw.ts';
export type { AdamWOptions } from './optim/adamw.ts';
export { clipGradNorm } from './optim/clip-grad-norm.ts';
export * from './model/index.ts';
export { seededRandom } from './util/random.ts';
export * from './inference/index.ts';
export { factorisationSchema, SPLIT_STRATEGIES } from './factor/factorise.ts';
export type {
  FactorisationOptions,
  LayerFactorisation,
  SplitStrategy,
} from './factor/factorise.ts';
export {
  expertWidths,
  GATINGS,
  MOE_CONFIG_KEY,
  MOE_SPLITS,
  moeConfigSchema,
  moeTensorNames,
  readMoeConfig,
  ROUTER_TYPES,
} from './factor/moe-config.ts';
export type { Gating, MoeConfig, MoeSplit, RouterType } from './factor/moe-config.ts';
export {
  compareWithDense,
  measureCheckpoint,
  measureInference,
} from './eval/inference-benchmark.ts';
export type {
  DenseComparison,
  InferenceBenchmarkOptions,
  InferenceFigures,
} from './eval/inference-benchmark.ts';
export { decodeSpeedup, efficiency, feedForwardShare, speedupBound } from './eval/speed.ts';
export { runTorchPeer, torchPeerLogits } from './bench/torch-peer.ts';
export { achievedGbS, decodeTraffic } from './eval/decode-traffic.ts';
export { measureHostReadBandwidth, measureReadBandwidth } from './eval/read-bandwidth.ts';
export type { TorchPeerResult, TorchPeerSkipped } from './bench/torch-peer.ts';
export * from './train/index.ts';
export { pretrainJob } from './jobs/pretrain.ts';
export { pipelineConfigSchema, pipelineFolders } from './jobs/pipeline-config.ts';
export type { PipelineConfig } from './jobs/pipeline-config.ts';
export type { FactorReport } from './eval/factor-report.ts';
export { factorizeConfigSchema, factorizeJob } from './jobs/factorize.ts';
export type { FactorizeConfig } from './jobs/factorize.ts';
export { runTrainingBenchmark, trainingFlopsPerToken } from './bench/training-benchmark.ts';
export { formatKernelProfile } from './eval/kernel-profile.ts';
export type {
  TrainingBenchmarkOptions,
  TrainingBenchmarkResult,
} from './bench/training-benchmark.ts';
