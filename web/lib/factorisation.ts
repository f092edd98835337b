/** How a leaderboard configuration cuts its model into experts, as the API derives it. */
export interface Factorisation {
  dense: boolean;
  experts: number | null;
  topK: number | null;
  split: string | null;
  router: string | null;
  gating: string | null;
  sharedExpertSize: number | null;
  priorApproximation: boolean | null;
  distillation: boolean | null;
  ffnDistillation: boolean | null;
  /** `dense`, or e.g. `N4 k1 sequential linear factorllm PA KD`. */
  label: string;
}

export const FACTORISATION_FIELDS =
  'dense experts topK split router gating sharedExpertSize priorApproximation distillation ffnDistillation label';

/** The parts of a factorisation a table shows one by one, with their meaning for a tooltip. */
export function factorisationParts(
  factorisation: Factorisation,
): { name: string; value: string; title: string }[] {
  if (factorisation.dense) return [{ name: 'dense', value: 'dense', title: 'no experts' }];
  const onOff = (on: boolean | null) => (on === null ? null : on ? 'on' : 'off');
  const parts = [
    { name: 'N', value: factorisation.experts, title: 'experts per FFN' },
    { name: 'k', value: factorisation.topK, title: 'experts each token runs' },
    { name: 'split', value: factorisation.split, title: 'how neurons were cut' },
    { name: 'router', value: factorisation.router, title: 'router' },
    { name: 'gating', value: factorisation.gating, title: 'gating' },
    {
      name: 'shared',
      value: factorisation.sharedExpertSize || null,
      title: 'neurons of the always-on shared expert',
    },
    { name: 'PA', value: onOff(factorisation.priorApproximation), title: 'prior-approximate loss' },
    { name: 'KD', value: onOff(factorisation.distillation), title: 'distillation from dense' },
    {
      name: 'FFN KD',
      value: onOff(factorisation.ffnDistillation),
      title: "each layer's dense FFN distilled into its experts",
    },
  ];
  return parts.flatMap(({ name, value, title }) =>
    value === null ? [] : [{ name, value: String(value), title }],
  );
}
