export interface ScheduleSettings {
  /** Peak learning rate, reached at the end of warm-up. */
  learningRate: number;
  /** Steps of linear warm-up from learningRate / warmupSteps. */
  warmupSteps: number;
  /** Steps in the whole run; the cosine ends there. */
  totalSteps: number;
  /** Where the cosine ends, as a fraction of the peak (default 0.1). */
  minLearningRateFraction?: number;
}

/**
 * The learning rate of step `step` (1-based): linear warm-up, then a cosine decay from the peak
 * to minLearningRateFraction of it at totalSteps.
 */
export function learningRateAt(step: number, settings: ScheduleSettings): number {
  const { learningRate, warmupSteps, totalSteps, minLearningRateFraction = 0.1 } = settings;
  if (step <= warmupSteps) return (learningRate * step) / warmupSteps;
  const progress = Math.min(1, (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
  const floor = learningRate * minLearningRateFraction;
  return floor + 0.5 * (learningRate - floor) * (1 + Math.cos(Math.PI * progress));
}
