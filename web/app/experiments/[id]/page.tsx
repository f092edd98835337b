import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ApiErrorPanel } from '../../_components/api-error-panel.tsx';
import { ExperimentActions } from '../../_components/experiment-actions.tsx';
import { ProgressMeter } from '../../_components/progress-meter.tsx';
import { StatusBadge } from '../../_components/status-badge.tsx';
import { fetchExperiment } from '../../../lib/experiments.ts';
import { formatRunDuration, formatTimestamp, shortId } from '../../../lib/format.ts';
import { loadOrError } from '../../../lib/graphql.ts';
import { isRunId } from '../../../lib/runs.ts';

export const dynamic = 'force-dynamic';

interface ExperimentPageProps {
  params: Promise<{ id: string }>;
}

export async function generateMetadata({ params }: ExperimentPageProps): Promise<Metadata> {
  const { id } = await params;
  const { data: experiment } = isRunId(id)
    ? await loadOrError(fetchExperiment(id))
    : { data: null };
  const named = experiment ? ` · ${experiment.kind} · ${experiment.name}` : '';
  return { title: `Experiment ${shortId(id)}${named} · FactorLab` };
}

/** One experiment: its config, its runs (the first and every retry) and the sweep it is part of. */
export default async function ExperimentPage({ params }: ExperimentPageProps) {
  const { id } = await params;
  // Experiment ids are UUIDs like run ids.
  if (!isRunId(id)) notFound();
  const { data: experiment, error, retryable } = await loadOrError(fetchExperiment(id));
  if (error !== undefined) {
    return (
      <>
        <h1>Experiment {shortId(id)}</h1>
        <ApiErrorPanel message={error} retrying={retryable} />
      </>
    );
  }
  if (experiment === null) notFound();
  const latest = experiment.runs[0];
  const now = Date.now();
  return (
    <article data-testid="experiment-detail" data-experiment-id={experiment.id}>
      <h1>
        {experiment.name} <span className="muted count">{experiment.kind}</span>
      </h1>
      <p className="muted">
        Experiment <span className="run-id">{shortId(experiment.id)}</span> · created{' '}
        {formatTimestamp(experiment.createdAt)}
        {experiment.sweepId !== null && (
          <>
            {' · '}
            <Link href={`/sweeps/${experiment.sweepId}`} data-testid="experiment-sweep-link">
              a point of its sweep
            </Link>
          </>
        )}
      </p>
      {latest !== undefined && (
        <ExperimentActions latestRunId={latest.id} latestStatus={latest.status} />
      )}
      <dl className="facts">
        <dt>Id</dt>
        <dd className="numeric">{experiment.id}</dd>
        <dt>Config hash</dt>
        <dd className="numeric" title="SHA-256 of the kind and canonical config">
          {experiment.configHash.slice(0, 16)}…
        </dd>
        {experiment.tags.length > 0 && (
          <>
            <dt>Tags</dt>
            <dd>{experiment.tags.join(', ')}</dd>
          </>
        )}
      </dl>
      <h2>
        Runs <span className="muted count">{experiment.runCount}</span>
      </h2>
      {experiment.runs.length === 0 ? (
        <p className="panel muted">No run yet.</p>
      ) : (
        <div className="table-scroll">
          <table className="data-table compact-table" data-testid="experiment-runs">
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Status</th>
                <th scope="col">Progress</th>
                <th scope="col" className="numeric">
                  Attempt
                </th>
                <th scope="col" className="numeric">
                  Queued
                </th>
                <th scope="col" className="numeric">
                  Finished
                </th>
                <th scope="col" className="numeric">
                  Duration
                </th>
              </tr>
            </thead>
            <tbody>
              {experiment.runs.map((run) => (
                <tr key={run.id} data-testid="experiment-run" data-run-id={run.id}>
                  <td>
                    <Link
                      href={`/runs/${run.id}`}
                      prefetch={false}
                      className="run-id"
                      title={run.id}
                    >
                      {shortId(run.id)}
                    </Link>
                  </td>
                  <td>
                    <StatusBadge status={run.status} />
                  </td>
                  <td>
                    <ProgressMeter fraction={run.progress} />
                  </td>
                  <td className="numeric">{run.attempt}</td>
                  <td className="numeric">
                    <time dateTime={run.queuedAt}>{formatTimestamp(run.queuedAt)}</time>
                  </td>
                  <td className="numeric">{formatTimestamp(run.finishedAt)}</td>
                  <td className="numeric">
                    {formatRunDuration(run.startedAt, run.finishedAt, now)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>Config</h2>
      <pre className="code" data-testid="experiment-config">
        {JSON.stringify(experiment.config, null, 2)}
      </pre>
    </article>
  );
}
