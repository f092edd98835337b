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
} as const;
