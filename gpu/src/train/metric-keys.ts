/**
 * The metric keys training jobs report, in one place: the dashboard and the CLI read runs by
 * these names. Values are per optimizer step unless said otherwise.
 */
export const TRAINING_METRICS = {
  /** Mean next-token cross-entropy (nats) of the step's batches. */
  trainLoss: 'train_loss',
  learningRate: 'learning_rate',
  /** Global L2 norm of the gradients before clipping. */
  gradNorm: 'grad_norm',
  /** Training tokens processed per second over the step (forward, backward, optimizer). */
  tokensPerS: 'tokens_per_s',
  /** Tokens trained on so far. */
  tokensSeen: 'tokens_seen',
  /** Mean next-token cross-entropy over the held-out validation split (at evaluation steps). */
  validationLoss: 'val_loss',
  validationPerplexity: 'val_perplexity',
  /** At the end of a finished run: the test split, scored once (nats per token). */
  testLoss: 'test_loss',
  testPerplexity: 'test_perplexity',
  /** exp(total loss / words): comparable across tokenizers. */
  testPerplexityPerWord: 'test_perplexity_per_word',
  /** Baselines of the same tokenizer on the same split, trained on the train split. */
  unigramTestPerplexity: 'unigram_test_perplexity',
  bigramTestPerplexity: 'bigram_test_perplexity',
  bigramTestPerplexityPerWord: 'bigram_test_perplexity_per_word',
} as const;

/** A layer's own metric key: `layers.3.pa_loss`. */
export function layerMetric(layer: number, key: string): string {
  return `layers.${layer}.${key}`;
}

/**
 * The FactorLLM fine-tune's metric keys (per optimizer step), beside TRAINING_METRICS' train_loss
 * (the total), learning_rate, grad_norm, tokens_per_s and val_loss. Per-layer values use
 * layerMetric(layer, key) with the keys marked "per layer".
 */
export const FINETUNE_METRICS = {
  /** Next-token cross-entropy of the student. */
  ceLoss: 'ce_loss',
  /** Prior-Approximate loss: KL(router || PA prior), summed over layers; per layer too. */
  paLoss: 'pa_loss',
  /** Load-balance loss summed over layers; per layer too. */
  balanceLoss: 'balance_loss',
  /** KL(teacher || student) of the logits at the distillation temperature. */
  distillLoss: 'distill_loss',
  /** Per-layer FFN distillation (relative MSE against the teacher's FFN), summed over layers; per layer too. */
  ffnDistillLoss: 'ffn_distill_loss',
  /** Share of tokens whose chosen experts are the PA label's; per layer. */
  routerAccuracy: 'router_accuracy',
  /** Which stage the step belongs to: 0 router only, 1 joint. */
  stage: 'stage',
} as const;

/**
 * What an evaluation of a factorised student against its dense teacher reports (run summary and
 * metric points at its last step). Accuracy is next-token top-1 accuracy on the held-out split.
 */
export const EVAL_METRICS = {
  densePerplexity: 'dense_perplexity',
  denseAccuracy: 'dense_accuracy',
  perplexity: 'perplexity',
  accuracy: 'accuracy',
  /** Student accuracy / dense accuracy. */
  retention: 'retention',
  /** Student perplexity / dense perplexity. */
  perplexityRatio: 'perplexity_ratio',
  klToTeacher: 'kl_to_teacher',
  top1Agreement: 'top1_agreement',
  /** Per layer: ||MoE(x) - F(x)||^2 / ||F(x)||^2 on the teacher's FFN inputs. */
  relError: 'rel_error',
  /** Per layer: entropy (nats) of the share of tokens each expert receives. */
  loadEntropy: 'load_entropy',
  /** Per layer and expert: the share of the router's choices it receives, `layers.3.expert_load.1`. */
  expertLoad: 'expert_load',
  /** Baselines in the same report: `baseline.random_router.accuracy` and so on. */
  baselinePrefix: 'baseline',
  /** Multiple-choice tasks: `task.<name>.accuracy`. */
  taskPrefix: 'task',
  /** Decode speed of dense and student measured in the same run, and the layer bound. */
  denseDecodeTokensPerS: 'dense_decode_tok_s',
  decodeTokensPerS: 'decode_tok_s',
  speedup: 'speedup',
  bound: 'bound',
} as const;

/**
 * What the inference-bench job adds about memory traffic: bytes a decode step must read
 * (decodeTraffic), the rate that makes at the measured speed, and on a CPU adapter the host's
 * read bandwidth measured in the same run and the share of it decode achieves.
 */
export const DECODE_TRAFFIC_METRICS = {
  stepBytes: 'decode_step_bytes',
  denseStepBytes: 'dense_decode_step_bytes',
  decodeGbS: 'decode_gb_s',
  denseDecodeGbS: 'dense_decode_gb_s',
  /** Host read bandwidth (GB/s), the better of one thread and every core; CPU adapters only. */
  readGbS: 'read_gb_s',
  readGbSOneThread: 'read_gb_s_one_thread',
  /** decode_gb_s / read_gb_s. */
  bandwidthShare: 'bandwidth_share',
  denseBandwidthShare: 'dense_bandwidth_share',
  /** read_gb_s over a step's bytes: the decode tokens/s the host's bandwidth allows. */
  decodeLimitTokS: 'decode_limit_tok_s',
  denseDecodeLimitTokS: 'dense_decode_limit_tok_s',
} as const;

/**
 * With `profile` (inference-bench): the GPU time of one decode step, every kernel's timestamped
 * pass together; set beside the step's wall time (decode_ms_p50), what is left is the host's.
 */
export const DECODE_PROFILE_METRICS = {
  gpuMs: 'decode_gpu_ms',
  denseGpuMs: 'dense_decode_gpu_ms',
} as const;

/** With weights `f16`: how far the logits move from f32's on the same tokens (inference-bench). */
export const WEIGHT_ROUNDING_METRICS = {
  maxAbs: 'f16_logit_max_abs_error',
  relativeRms: 'f16_logit_rel_rms_error',
  top1Agreement: 'f16_top1_agreement',
} as const;
