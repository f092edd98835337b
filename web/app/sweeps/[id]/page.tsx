import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ApiErrorPanel } from '../../_components/api-error-panel.tsx';
import { ConfigCell } from '../../_components/config-cell.tsx';
import { LiveUpdates } from '../../_components/live-updates.tsx';
import { SpreadValue } from '../../_components/spread-value.tsx';
import { varyingConfigKeys } from '../../../lib/config-summary.ts';
import { formatTimestamp, shortId } from '../../../lib/format.ts';
import { loadOrError } from '../../../lib/graphql.ts';
import { isActive, isRunId } from '../../../lib/runs.ts';
import { fetchSweep, sweepPoints, type SweepDetail } from '../../../lib/sweeps.ts';

export const dynamic = 'force-dynamic';

/** Figures a sweep's table shows first when its runs report them; then the rest, alphabetically. */
const FIRST_METRICS = [
  'decode_tok_s',
  'speedup',
  'bound',
  'efficiency',
  'retention',
  'perplexity',
  'val_loss',
  'gflops',
];
const MAX_METRIC_COLUMNS = 6;

interface SweepPageProps {
  params: Promise<{ id: string }>;
}

export async function generateMetadata({ params }: SweepPageProps): Promise<Metadata> {
  const { id } = await params;
  const { data: sweep } = isRunId(id) ? await loadOrError(fetchSweep(id)) : { data: null };
  return { title: `Sweep ${sweep?.name ?? shortId(id)} · FactorLab` };
}

export default async function SweepPage({ params }: SweepPageProps) {
  const { id } = await params;
  if (!isRunId(id)) notFound();
  const { data: sweep, error, retryable } = await loadOrError(fetchSweep(id));
  if (error !== undefined) {
    return (
      <>
        <h1>Sweep {shortId(id)}</h1>
        <ApiErrorPanel message={error} retrying={retryable} />
      </>
    );
  }
  if (sweep === null) notFound();
  const done = sweep.runs.filter((run) => !isActive(run.status)).length;
  return (
    <article data-testid="sweep" data-sweep-id={sweep.id}>
      <h1>
        {sweep.name} <span className="muted count">{sweep.kind}</span>
      </h1>
      <p className="muted">
        {sweep.strategy.toLowerCase()} sweep · {sweep.runCount} runs, {done} finished · created{' '}
        {formatTimestamp(sweep.createdAt)}
      </p>
      <SweepTable sweep={sweep} />
      <details>
        <summary>The request that made it</summary>
        <pre className="code">{JSON.stringify(sweep.spec, null, 2)}</pre>
      </details>
      <LiveUpdates active={done < sweep.runs.length} feed={{ sweepId: sweep.id }} />
    </article>
  );
}

function metricColumns(keys: string[]): string[] {
  const first = FIRST_METRICS.filter((key) => keys.includes(key));
  const rest = keys.filter((key) => !first.includes(key)).sort();
  return [...first, ...rest].slice(0, MAX_METRIC_COLUMNS);
}

/** One row per point: its varying config, its runs, each figure's mean and spread. */
function SweepTable({ sweep }: { sweep: SweepDetail }) {
  const points = sweepPoints(sweep.runs);
  const varying = varyingConfigKeys(points.map((point) => point.config));
  const columns = metricColumns([...new Set(points.flatMap((point) => [...point.spreads.keys()]))]);
  const byId = new Map(sweep.runs.map((run) => [run.id, run]));
  return (
    <div className="table-scroll">
      <table className="data-table compact-table" data-testid="sweep-points">
        <thead>
          <tr>
            <th>Point</th>
            <th>Runs</th>
            {columns.map((key) => (
              <th key={key} className="numeric">
                {key}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {points.map((point) => (
            <tr key={point.runIds[0]} data-testid="sweep-point">
              <td>
                <ConfigCell config={point.config} varying={varying} />
              </td>
              <td>
                {point.runIds.map((runId) => (
                  <Link
                    key={runId}
                    href={`/runs/${runId}`}
                    prefetch={false}
                    className="run-id sweep-run"
                    data-status={byId.get(runId)!.status}
                    title={`${runId}: ${byId.get(runId)!.status.toLowerCase()}`}
                  >
                    {shortId(runId)}
                  </Link>
                ))}
              </td>
              {columns.map((key) => {
                const spread = point.spreads.get(key);
                return (
                  <td key={key} className="numeric" data-column={key}>
                    {spread === undefined ? (
                      <span className="muted">—</span>
                    ) : (
                      <SpreadValue spread={spread} metricKey={key} />
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
