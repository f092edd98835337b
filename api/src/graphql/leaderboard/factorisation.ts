import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType({
  description:
    'How a configuration cuts its model into experts, read from its job config: `dense` for a ' +
    'model run whole; a field is null where the config does not say (a fine-tune names its ' +
    'factorised checkpoint by folder, so its N and k are not in it).',
})
export class Factorisation {
  @Field(() => Boolean, { description: 'Whether the model runs whole, without experts.' })
  dense!: boolean;

  @Field(() => Int, { nullable: true, description: 'Experts N per FFN.' })
  experts!: number | null;

  @Field(() => Int, { nullable: true, description: 'Experts k each token runs.' })
  topK!: number | null;

  @Field(() => String, {
    nullable: true,
    description: 'How neurons were cut: sequential, random, kmeans, coactivation.',
  })
  split!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Router: linear (FactorLLM), mlp (MoEfication), or untrained (a bench).',
  })
  router!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Gating: factorllm (chosen experts times N / k) or softmax.',
  })
  gating!: string | null;

  @Field(() => Int, { nullable: true, description: 'Neurons of the always-on shared expert.' })
  sharedExpertSize!: number | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Whether the fine-tune weights the PA (prior-approximate) loss; null without one.',
  })
  priorApproximation!: boolean | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Whether the fine-tune distils the dense teacher; null without one.',
  })
  distillation!: boolean | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      "Whether the fine-tune distils each layer's dense FFN into its experts; null without one.",
  })
  ffnDistillation!: boolean | null;

  @Field(() => String, {
    description:
      'One line for tables: `dense`, or e.g. `N4 k1 sequential linear factorllm PA KD` (`FFN KD` ' +
      'added when the FFNs are distilled too).',
  })
  label!: string;
}

/** The experts a benchmark row measured, for a bench config that names a stored checkpoint. */
export interface MeasuredMixture {
  experts: number | null;
  topK: number | null;
  split: string | null;
}

type Settings = Record<string, unknown>;

function settingsAt(config: unknown, key?: string): Settings | null {
  const value = key === undefined ? config : (config as Settings | null)?.[key];
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Settings)
    : null;
}

function integer(settings: Settings | null, key: string): number | null {
  const value = settings?.[key];
  return typeof value === 'number' && Number.isInteger(value) ? value : null;
}

function text(settings: Settings | null, key: string): string | null {
  const value = settings?.[key];
  return typeof value === 'string' ? value : null;
}

/** A loss weight turned on (> 0); null when the fine-tune's config does not give it. */
function weighted(loss: Settings | null, key: string): boolean | null {
  const value = loss?.[key];
  return typeof value === 'number' ? value > 0 : null;
}

const DENSE: Factorisation = {
  dense: true,
  experts: null,
  topK: null,
  split: null,
  router: null,
  gating: null,
  sharedExpertSize: null,
  priorApproximation: null,
  distillation: null,
  ffnDistillation: null,
  label: 'dense',
};

function labelOf(parts: Omit<Factorisation, 'label' | 'dense'>): string {
  const words = [
    parts.experts !== null ? `N${parts.experts}` : null,
    parts.topK !== null ? `k${parts.topK}` : null,
    parts.split,
    parts.router,
    parts.gating,
    parts.sharedExpertSize ? `shared ${parts.sharedExpertSize}` : null,
    parts.priorApproximation === null ? null : parts.priorApproximation ? 'PA' : 'no PA',
    parts.distillation === null ? null : parts.distillation ? 'KD' : 'no KD',
    parts.ffnDistillation ? 'FFN KD' : null,
  ];
  return words.filter((word) => word !== null).join(' ') || 'factorised';
}

function factorised(
  cut: Settings | null,
  loss: Settings | null,
  defaults: Partial<Factorisation> = {},
): Factorisation {
  const parts = {
    experts: integer(cut, 'experts'),
    topK: integer(cut, 'topK'),
    split: text(cut, 'split'),
    router: text(cut, 'router') ?? defaults.router ?? null,
    gating: text(cut, 'gating') ?? defaults.gating ?? null,
    sharedExpertSize: integer(cut, 'sharedExpertSize'),
    priorApproximation: weighted(loss, 'pa'),
    distillation: weighted(loss, 'distill'),
    ffnDistillation: weighted(loss, 'ffnDistill'),
  };
  return { dense: false, ...parts, label: labelOf(parts) };
}

/**
 * The factorisation a run of `kind` with `config` (the job's validated config, as stored) uses;
 * null for kinds whose config says nothing about one. An inference bench of a stored checkpoint
 * (no experts in its config) is read from the benchmark row it recorded, when there is one.
 */
export function factorisationOf(
  kind: string,
  config: unknown,
  measured: MeasuredMixture | null = null,
): Factorisation | null {
  const settings = settingsAt(config);
  switch (kind) {
    case 'pipeline':
      return factorised(settingsAt(settings, 'factorize'), settingsAt(settings?.finetune, 'loss'));
    case 'factorize':
      return factorised(settings, null);
    case 'finetune':
      return factorised(null, settingsAt(settings, 'loss'));
    case 'pretrain':
      return DENSE;
    case 'inference-bench': {
      // The bench factorises with an untrained linear router; its gating is FactorLLM's.
      const untrained = { router: 'untrained', gating: null };
      if (integer(settings, 'experts') !== null) return factorised(settings, null, untrained);
      if (measured === null) return null;
      if (measured.experts === null) return DENSE;
      return factorised({ ...measured }, null, { router: null, gating: null });
    }
    default:
      return null;
  }
}

/**
 * factorisationOf a run, reading the benchmark row it recorded (`latestMeasured`) only when its
 * config cannot tell: an inference bench of a stored checkpoint.
 */
export async function factorisationOfRun(
  kind: string,
  config: unknown,
  latestMeasured: () => Promise<MeasuredMixture | null>,
): Promise<Factorisation | null> {
  const fromConfig = factorisationOf(kind, config);
  if (fromConfig !== null || kind !== 'inference-bench') return fromConfig;
  return factorisationOf(kind, config, await latestMeasured());
}
