import { gql } from './graphql.ts';

export type ColumnGroup = 'quality' | 'speed';

/** A numeric field of the leaderboard's `quality` or `speed` object, shown as a column. */
export interface LeaderboardColumn {
  group: ColumnGroup;
  /** The GraphQL field name, e.g. `decodeTokS`. */
  field: string;
  label: string;
  /** The summary metric the API reads it from, so the API can sort by it; null when unknown. */
  metricKey: string | null;
  /** Whether smaller is better (perplexity, latency), which sorting puts first. */
  lowerIsBetter: boolean;
}

/**
 * Labels, and the summary metric each field reads, for the fields known today. The API documented
 * the metric key in each description ("Metric key `decode_tok_s`.") but may describe them otherwise
 * once speeds come from benchmark rows, so the key is not left to the description alone.
 */
const KNOWN_FIELDS: Record<string, { label: string; metricKey: string }> = {
  retention: { label: 'Retention', metricKey: 'retention' },
  perplexity: { label: 'Perplexity', metricKey: 'perplexity' },
  accuracy: { label: 'Accuracy', metricKey: 'accuracy' },
  decodeTokS: { label: 'Decode tok/s', metricKey: 'decode_tok_s' },
  speedup: { label: 'Speedup', metricKey: 'speedup' },
  bound: { label: 'Bound', metricKey: 'bound' },
  efficiency: { label: 'Efficiency', metricKey: 'efficiency' },
};

/** What the schema has today; used when the API does not answer introspection. */
const FALLBACK_FIELDS: Record<ColumnGroup, string[]> = {
  quality: ['retention', 'perplexity', 'accuracy'],
  speed: ['decodeTokS', 'speedup', 'efficiency'],
};

const GROUP_TYPES: Record<ColumnGroup, string> = {
  quality: 'QualityMetrics',
  speed: 'SpeedMetrics',
};

interface IntrospectedField {
  name: string;
  description: string | null;
  type: { kind: string; name: string | null; ofType: { kind: string; name: string | null } | null };
}

export const COLUMNS_QUERY = `query LeaderboardColumns {
  quality: __type(name: "${GROUP_TYPES.quality}") { fields { ...ColumnField } }
  speed: __type(name: "${GROUP_TYPES.speed}") { fields { ...ColumnField } }
}
fragment ColumnField on __Field {
  name description type { kind name ofType { kind name } }
}`;

const NUMERIC_SCALARS = new Set(['Float', 'Int']);
// The API documents each of these fields as "Metric key `decode_tok_s`."
const METRIC_KEY_IN_DESCRIPTION = /metric key `([^`]+)`/i;
const LOWER_IS_BETTER = /perplexity|latency|loss|_ms$|Ms$/;

function humanize(field: string): string {
  const words = field.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function column(group: ColumnGroup, field: string, description: string | null): LeaderboardColumn {
  const known = KNOWN_FIELDS[field];
  const metricKey = known?.metricKey ?? description?.match(METRIC_KEY_IN_DESCRIPTION)?.[1] ?? null;
  return {
    group,
    field,
    label: known?.label ?? humanize(field),
    metricKey,
    lowerIsBetter: LOWER_IS_BETTER.test(metricKey ?? field),
  };
}

function isNumeric(field: IntrospectedField): boolean {
  const named = field.type.kind === 'NON_NULL' ? field.type.ofType : field.type;
  return named?.kind === 'SCALAR' && NUMERIC_SCALARS.has(named.name ?? '');
}

/** What the leaderboard can ask the API for, as its schema says now. */
export interface LeaderboardFields {
  columns: LeaderboardColumn[];
  /** Whether `speed` names the device the speeds were measured on (benchmark rows do). */
  speedDevice: boolean;
}

/** The columns of the fields known today, for an API without introspection. */
export function fallbackFields(): LeaderboardFields {
  const columns = (['quality', 'speed'] as const).flatMap((group) =>
    FALLBACK_FIELDS[group].map((field) => column(group, field, null)),
  );
  return { columns, speedDevice: false };
}

/**
 * The quality and speed columns the API offers now, read from its schema, so metrics added to the
 * API later (benchmark speeds, latencies) show up without a dashboard change.
 */
export async function fetchLeaderboardFields(): Promise<LeaderboardFields> {
  let types: Record<ColumnGroup, { fields: IntrospectedField[] } | null>;
  try {
    types = await gql<Record<ColumnGroup, { fields: IntrospectedField[] } | null>>(COLUMNS_QUERY);
  } catch {
    // Introspection can be turned off on a production API; the fields known today still work.
    return fallbackFields();
  }
  const columns = (['quality', 'speed'] as const).flatMap((group) =>
    (types[group]?.fields ?? [])
      .filter(isNumeric)
      .map((field) => column(group, field.name, field.description)),
  );
  if (columns.length === 0) return fallbackFields();
  const speedDevice = types.speed?.fields.some((field) => field.name === 'device') ?? false;
  return { columns, speedDevice };
}
