import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound, redirect } from 'next/navigation';
import { ApiErrorPanel } from '../../_components/api-error-panel.tsx';
import { DeviceLabel } from '../../_components/device-label.tsx';
import { LiveUpdates } from '../../_components/live-updates.tsx';
import { RunMetricCharts } from '../../_components/metric-charts.tsx';
import { MetricsTable } from '../../_components/metrics-table.tsx';
import { ProgressMeter } from '../../_components/progress-meter.tsx';
import { RunActions } from '../../_components/run-actions.tsx';
import { RunArtifacts } from '../../_components/run-artifacts.tsx';
import { RunBenchmarks } from '../../_components/run-benchmarks.tsx';
import { StatusBadge } from '../../_components/status-badge.tsx';
import { formatRunDuration, formatTimestamp, shortId } from '../../../lib/format.ts';
import { loadOrError } from '../../../lib/graphql.ts';
import {
  fetchRun,
  isActive,
  isRunId,
  isShortRunId,
  resolveRunId,
  type RunDetail,
} from '../../../lib/runs.ts';
import {
  fetchRunSeries,
  isCurve,
  RUN_CHART_SAMPLES,
  seriesKeysWithinBudget,
} from '../../../lib/series.ts';
import { isExpertLoadKey, layerReport } from '../../../lib/layer-report.ts';
import { inChartOrder } from '../../../lib/metric-groups.ts';
import { LayerPanel } from './layer-panel.tsx';
import { RunLogs } from './run-logs.tsx';

export const dynamic = 'force-dynamic';

interface RunPageProps {
  params: Promise<{ id: string }>;
}

/** The tab names the run: `Run 1a2b3c4d · inference-bench · its name · FactorLab`. */
export async function generateMetadata({ params }: RunPageProps): Promise<Metadata> {
  const { id } = await params;
  const title = `Run ${shortId(id)}`;
  if (!isRunId(id)) return { title: `${title} · FactorLab` };
  const { data: run } = await loadOrError(fetchRun(id));
  if (!run) return { title: `${title} · FactorLab` };
  return {
    title: `${title} · ${run.kind} · ${run.name} · ${run.status.toLowerCase()} · FactorLab`,
  };
}

export default async function RunPage({ params }: RunPageProps) {
  const { id } = await params;
  if (isShortRunId(id)) {
    // A short id, as the tables and `lab runs` show them: the full id's page, if it names one run.
    const resolved = await loadOrError(resolveRunId(id));
    if (resolved.data !== undefined) redirect(`/runs/${resolved.data}`);
    return (
      <>
        <h1>Run {id}</h1>
        <ApiErrorPanel message={resolved.error} retrying={resolved.retryable} />
      </>
    );
  }
  if (!isRunId(id)) notFound();
  const { data: run, error, retryable } = await loadOrError(fetchRun(id));

  if (error !== undefined) {
    return (
      <>
        <h1>Run {shortId(id)}</h1>
        <ApiErrorPanel message={error} retrying={retryable} />
      </>
    );
  }
  if (run === null) notFound();

  return (
    <article data-testid="run-detail" data-run-id={run.id}>
      <h1>
        Run <span className="run-id">{shortId(run.id)}</span> <StatusBadge status={run.status} />
      </h1>
      <p className="muted">
        {run.kind} · {run.name}
        {' · '}
        <Link
          href={`/experiments/${run.experimentId}`}
          prefetch={false}
          data-testid="experiment-link"
        >
          its experiment
        </Link>
        {run.sweepId !== null && (
          <>
            {' · '}
            <Link href={`/sweeps/${run.sweepId}`} data-testid="sweep-link">
              its sweep
            </Link>
          </>
        )}
      </p>
      <RunActions runId={run.id} status={run.status} config={run.config} name={run.name} />
      {run.status === 'FAILED' && run.error !== null && (
        <pre className="panel panel-error error-message" data-testid="run-error">
          {run.error}
        </pre>
      )}
      <RunFacts run={run} />
      {run.metrics.length > 0 && <RunCharts run={run} />}
      <RunLayers metrics={run.metrics} />
      <h2>Metrics</h2>
      <MetricsTable metrics={run.metrics} />
      {run.benchmarks.length > 0 && <RunBenchmarks rows={run.benchmarks} />}
      {run.artifacts.length > 0 && <RunArtifacts artifacts={run.artifacts} />}
      <RunLogs runId={run.id} active={isActive(run.status)} />
      <h2>Config</h2>
      <JsonBlock value={run.config} testId="run-config" />
      {run.device != null && (
        <details>
          <summary>Device details</summary>
          <JsonBlock value={run.device} testId="run-device" />
        </details>
      )}
      <LiveUpdates
        active={isActive(run.status)}
        feed={{ run: { id: run.id, afterStep: lastStep(run.metrics) } }}
      />
    </article>
  );
}

async function RunCharts({ run }: { run: RunDetail }) {
  // The experts' shares are drawn as the layer panel's heatmap, not as curves.
  const keys = inChartOrder(
    run.metrics.map((metric) => metric.key).filter((key) => !isExpertLoadKey(key)),
  ).slice(0, seriesKeysWithinBudget(1, RUN_CHART_SAMPLES));
  const { data: series, error, retryable } = await loadOrError(fetchRunSeries(run.id, keys));
  if (error !== undefined) {
    return (
      <>
        <ApiErrorPanel message={error} retrying={retryable} />
      </>
    );
  }
  return <RunMetricCharts series={series.filter(isCurve)} />;
}

function RunLayers({ metrics }: { metrics: RunDetail['metrics'] }) {
  const report = layerReport(metrics);
  return report === null ? null : <LayerPanel report={report} />;
}

/** The newest step of any metric the run wrote: live curves follow from after it. */
function lastStep(metrics: RunDetail['metrics']): number {
  return metrics.reduce((last, metric) => Math.max(last, metric.step), -1);
}

function RunFacts({ run }: { run: RunDetail }) {
  return (
    <dl className="facts">
      <dt>Id</dt>
      <dd className="numeric">{run.id}</dd>
      <dt>Experiment</dt>
      <dd className="numeric">
        <Link href={`/experiments/${run.experimentId}`} prefetch={false}>
          {run.experimentId}
        </Link>
      </dd>
      <dt>Progress</dt>
      <dd>
        <ProgressMeter fraction={run.progress} />
      </dd>
      <dt>Device</dt>
      <dd>
        <DeviceLabel device={run.device} />
      </dd>
      <dt>Attempt / priority</dt>
      <dd className="numeric">
        {run.attempt} / {run.priority}
      </dd>
      {run.tags.length > 0 && (
        <>
          <dt>Tags</dt>
          <dd>{run.tags.join(', ')}</dd>
        </>
      )}
      <dt>Queued</dt>
      <dd className="numeric">{formatTimestamp(run.queuedAt)}</dd>
      <dt>Started</dt>
      <dd className="numeric">{formatTimestamp(run.startedAt)}</dd>
      <dt>Finished</dt>
      <dd className="numeric">{formatTimestamp(run.finishedAt)}</dd>
      <dt>Duration</dt>
      <dd className="numeric">{formatRunDuration(run.startedAt, run.finishedAt, Date.now())}</dd>
    </dl>
  );
}

function JsonBlock({ value, testId }: { value: unknown; testId: string }) {
  return (
    <pre className="code" data-testid={testId}>
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}
