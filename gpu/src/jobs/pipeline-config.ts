import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { finetuneConfigSchema } from '../train/finetune/config.ts';
import { DEFAULT_DATA_DIRECTORY } from '../train/data/prepare.ts';
import { evalConfigSchema } from './eval-config.ts';
import { factorizeConfigSchema } from './factorize-config.ts';

/** Stands in `output` for a hash of the settings, so that every point of a sweep has its own folder. */
export const SETTINGS_HASH = '{hash}';

/** `output` with SETTINGS_HASH replaced by 12 hex digits of the stage settings' hash. */
function resolveOutput(config: {
  output: string;
  model: string;
  factorize: unknown;
  finetune: unknown;
  eval: unknown;
  bench: unknown;
}): string {
  if (!config.output.includes(SETTINGS_HASH)) return config.output;
  const { model, factorize, finetune, eval: evaluation, bench } = config;
  const digest = createHash('sha256')
    .update(canonicalJson({ model, factorize, finetune, eval: evaluation, bench }))
    .digest('hex')
    .slice(0, 12);
  return config.output.replaceAll(SETTINGS_HASH, digest);
}

/** JSON with object keys sorted, so equal settings hash alike whatever their order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map(
        (key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`,
      )
      .join(',')}}`;
  return JSON.stringify(value);
}

/** Where each stage of a pipeline writes, under its output folder. */
export function pipelineFolders(output: string) {
  return {
    factorised: join(output, 'factorised'),
    finetune: join(output, 'finetune'),
    student: join(output, 'finetune', 'model'),
    report: join(output, 'report.json'),
  };
}

const stageSettings = z.record(z.string(), z.unknown());

/**
 * Validates one stage's settings with that stage's own job schema, the fields the pipeline sets
 * filled in (and refused when given), its issues reported under the stage's name.
 */
function stage<Schema extends z.ZodType>(
  name: string,
  schema: Schema,
  given: Record<string, unknown>,
  fixed: Record<string, unknown>,
  context: z.RefinementCtx,
): z.output<Schema> | undefined {
  // A stored config is this schema's output, parsed again: equal values are its own.
  for (const key of Object.keys(fixed))
    if (Object.hasOwn(given, key) && canonicalJson(given[key]) !== canonicalJson(fixed[key])) {
      context.addIssue({
        code: 'custom',
        path: [name, key],
        message: 'is set by the pipeline (from its model and output); remove it',
      });
      return undefined;
    }
  const parsed = schema.safeParse({ ...given, ...fixed });
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues)
    context.addIssue({ code: 'custom', path: [name, ...issue.path], message: issue.message });
  return undefined;
}

const benchSchema = z.strictObject({
  promptLen: z.int().min(1).max(4096).default(64),
  genLen: z.int().min(2).max(4096).default(64),
  batch: z.int().min(1).max(64).default(1),
  repeats: z.int().min(1).max(20).default(3),
});

/**
 * factorize -> finetune -> eval -> bench on one dense model: each stage's settings are that job's
 * config without the paths, which the pipeline sets under `output`.
 */
export const pipelineConfigSchema = z
  .strictObject({
    /** The dense model folder: the teacher. */
    model: z.string().min(1),
    /** Folder for every stage's output and report.json; `{hash}` in it stands for the settings' hash. */
    output: z.string().min(1),
    factorize: stageSettings,
    finetune: stageSettings,
    eval: stageSettings.default({}),
    /** Decode speed of dense and student in the same run; false to skip. */
    bench: z.union([benchSchema, z.literal(false)]).default({
      promptLen: 64,
      genLen: 64,
      batch: 1,
      repeats: 3,
    }),
    dataDirectory: z.string().min(1).default(DEFAULT_DATA_DIRECTORY),
  })
  .transform((given, context) => {
    const config = { ...given, output: resolveOutput(given) };
    const folders = pipelineFolders(config.output);
    const factorize = stage(
      'factorize',
      factorizeConfigSchema,
      config.factorize,
      { model: config.model, output: folders.factorised },
      context,
    );
    const finetune = stage(
      'finetune',
      finetuneConfigSchema,
      config.finetune,
      {
        teacher: config.model,
        student: folders.factorised,
        output: folders.finetune,
        data: { corpus: 'brown', directory: config.dataDirectory },
      },
      context,
    );
    const evaluation = stage(
      'eval',
      evalConfigSchema,
      config.eval,
      {
        teacher: config.model,
        student: folders.student,
        untrained: folders.factorised,
        report: folders.report,
        dataDirectory: config.dataDirectory,
      },
      context,
    );
    if (!factorize || !finetune || !evaluation) return z.NEVER;
    return { ...config, factorize, finetune, eval: evaluation };
  });

export type PipelineConfig = z.output<typeof pipelineConfigSchema>;
