import Link from 'next/link';
import { redirect } from 'next/navigation';
import { ApiErrorPanel } from '../_components/api-error-panel.tsx';
import { BenchmarkComparisonTable } from '../_components/benchmark-comparison-table.tsx';
import {
  ComparedRunsTable,
  ConfigComparisonTable,
  MetricComparisonTable,
} from '../_components/compare-tables.tsx';
import { LiveUpdates } from '../_components/live-updates.tsx';
import { DecodeSpeeds } from '../_components/decode-speeds.tsx';
import { ComparedMetricCharts } from '../_components/metric-charts.tsx';
import { fetchLatestBenchmarks } from '../../lib/benchmarks.ts';
import {
  COMPARE_LIMITS,
  fetchComparison,
  type ComparedRun,
  type RunComparison,
} from '../../lib/compare.ts';
import { compareHref } from '../../lib/compare-href.ts';
import { loadOrError } from '../../lib/graphql.ts';
import { isActive, isRunId, resolveRunIds, type RunIdMatch } from '../../lib/runs.ts';
import { firstParam, listParam, type SearchParams } from '../../lib/search-params.ts';
import {
  COMPARE_CHART_SAMPLES,
  fetchSeriesOfRuns,
  isCurve,
  seriesKeysWithinBudget,
} from '../../lib/series.ts';
import { FactorisationComparison } from './factorisation-comparison.tsx';

export const dynamic = 'force-dynamic';

export const metadata = { title: 'Compare · FactorLab' };

interface ComparePageProps {
  searchParams: Promise<SearchParams>;
}

export default async function ComparePage({ searchParams }: ComparePageProps) {
  const params = await searchParams;
  const runIds = listParam(params.runs);
  const differingOnly = firstParam(params.all) !== '1';

  if (runIds.length < COMPARE_LIMITS.min) return <PickRuns runIds={runIds} />;
  if (runIds.length > COMPARE_LIMITS.max) {
    const message = `${runIds.length} runs given; the lab compares ${COMPARE_LIMITS.min} to ${COMPARE_LIMITS.max}.`;
    return (
      <>
        <h1>Compare runs</h1>
        <ApiErrorPanel message={message} retrying={false} />
      </>
    );
  }
  const typed = runIds.filter((id) => !isRunId(id));
  if (typed.length > 0) {
    // Short ids (as every table shows them) resolved in one request, then the page again with
    // the full ids, so its address names the runs whatever is queued later.
    const resolved = await loadOrError(resolveRunIds(typed));
    if (resolved.error !== undefined) {
      return (
        <>
          <h1>Compare runs</h1>
          <ApiErrorPanel message={resolved.error} retrying={resolved.retryable} />
        </>
      );
    }
    const unresolved = resolved.data.filter((match) => match.id === null);
    if (unresolved.length > 0) return <PickRuns runIds={runIds} unresolved={unresolved} />;
    const full = new Map(resolved.data.map((match) => [match.prefix, match.id!]));
    const ids = runIds.map((id) => full.get(id) ?? id.toLowerCase());
    redirect(compareHref([...new Set(ids)], differingOnly));
  }

  const {
    data: comparison,
    error,
    retryable,
  } = await loadOrError(fetchComparison(runIds, differingOnly));
  if (error !== undefined) {
    return (
      <>
        <h1>Compare runs</h1>
        <ApiErrorPanel message={error} retrying={retryable} />
      </>
    );
  }

  return (
    <article data-testid="compare">
      <h1>
        Compare runs <span className="muted count">{comparison.runs.length}</span>
      </h1>
      <ComparedRunsTable runs={comparison.runs} />
      <FactorisationComparison runs={comparison.runs} />
      <h2 className="section-heading">
        Config
        <Link
          href={compareHref(runIds, !differingOnly)}
          className="toggle"
          aria-pressed={differingOnly}
          data-testid="differing-toggle"
          scroll={false}
        >
          {differingOnly ? '☑' : '☐'} Differing keys only
        </Link>
      </h2>
      {comparison.config.length === 0 ? (
        <p className="muted" data-testid="config-same">
          {differingOnly ? 'These runs have the same config.' : 'These runs have empty configs.'}
        </p>
      ) : (
        <ConfigComparisonTable comparison={comparison} />
      )}
      <h2>Metrics</h2>
      {comparison.metrics.length === 0 ? (
        <p className="muted">None of these runs has recorded a metric yet.</p>
      ) : (
        <>
          <MetricComparisonTable comparison={comparison} />
          <ComparedCharts comparison={comparison} />
        </>
      )}
      <DecodeSpeeds comparison={comparison} />
      <ComparedBenchmarks runs={comparison.runs} />
      <LiveUpdates
        active={comparison.runs.some((run) => isActive(run.status))}
        feed={{ runIds: comparison.runs.map((run) => run.id) }}
      />
    </article>
  );
}

async function ComparedCharts({ comparison }: { comparison: RunComparison }) {
  const runIds = comparison.runs.map((run) => run.id);
  const keys = comparison.metrics
    .map((metric) => metric.key)
    .slice(0, seriesKeysWithinBudget(runIds.length, COMPARE_CHART_SAMPLES));
  const {
    data: seriesByRun,
    error,
    retryable,
  } = await loadOrError(fetchSeriesOfRuns(runIds, keys));
  if (error !== undefined) {
    return (
      <>
        <ApiErrorPanel message={error} retrying={retryable} />
      </>
    );
  }
  return (
    <ComparedMetricCharts
      runs={comparison.runs}
      keys={keys.filter((key) =>
        runIds.some((id) => isCurve(seriesByRun.get(id)?.find((one) => one.key === key))),
      )}
      seriesByRun={seriesByRun}
    />
  );
}

/** The runs' latest benchmark rows side by side; nothing when none of them was benchmarked. */
async function ComparedBenchmarks({ runs }: { runs: ComparedRun[] }) {
  const {
    data: latest,
    error,
    retryable,
  } = await loadOrError(fetchLatestBenchmarks(runs.map((run) => run.id)));
  if (error !== undefined) {
    return (
      <>
        <h2>Benchmarks</h2>
        <ApiErrorPanel message={error} retrying={retryable} />
      </>
    );
  }
  if (![...latest.values()].some((row) => row !== null)) return null;
  return (
    <>
      <h2>Benchmarks</h2>
      <BenchmarkComparisonTable runs={runs} latest={latest} />
    </>
  );
}

/**
 * The compare page without enough runs, or with ids that name no single run: how to pick them, or
 * paste their ids, each typed id that could not be resolved named with the reason.
 */
function PickRuns({ runIds, unresolved = [] }: { runIds: string[]; unresolved?: RunIdMatch[] }) {
  return (
    <>
      <h1>Compare runs</h1>
      {unresolved.length > 0 && (
        <section className="panel panel-error" role="alert" data-testid="compare-unresolved">
          <h2>{unresolved.length === 1 ? 'This id names' : 'These ids name'} no single run</h2>
          <ul>
            {unresolved.map((match) => (
              <li key={match.prefix} data-prefix={match.prefix}>
                {match.problem}
              </li>
            ))}
          </ul>
        </section>
      )}
      <section className="panel" data-testid="compare-empty">
        <h2>Pick {COMPARE_LIMITS.min} or more runs to compare</h2>
        <p>
          Tick rows on the <Link href="/">runs page</Link> or the{' '}
          <Link href="/leaderboard">leaderboard</Link> and press “Compare selected”, or paste run
          ids or their first digits (as the tables show them) here:
        </p>
        <form action="/compare" method="get" className="filters">
          <label>
            Run ids or short ids, comma-separated
            <input
              name="runs"
              defaultValue={runIds.join(',')}
              size={60}
              data-testid="compare-ids"
            />
          </label>
          <button type="submit">Compare</button>
        </form>
      </section>
    </>
  );
}
