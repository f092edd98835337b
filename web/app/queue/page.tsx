import type { Metadata } from 'next';
import Link from 'next/link';
import { ApiErrorPanel } from '../_components/api-error-panel.tsx';
import { QueueForm } from '../_components/queue-form.tsx';
import { SweepForm } from '../_components/sweep-form.tsx';
import { loadOrError } from '../../lib/graphql.ts';
import { fetchJobKinds } from '../../lib/job-kinds.ts';
import { formFields } from '../../lib/schema-form.ts';
import { firstParam, type SearchParams } from '../../lib/search-params.ts';

export const dynamic = 'force-dynamic';

export async function generateMetadata({
  searchParams,
}: {
  searchParams: Promise<SearchParams>;
}): Promise<Metadata> {
  const sweep = firstParam((await searchParams).as) === 'sweep';
  return { title: `${sweep ? 'Queue a sweep' : 'Queue a run'} · FactorLab` };
}

/** `/queue?kind=selftest` queues one run; `&as=sweep` builds a sweep of the same kind. */
export default async function QueuePage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const asked = firstParam(params.kind);
  const sweep = firstParam(params.as) === 'sweep';
  const title = sweep ? 'Queue a sweep' : 'Queue a run';
  const { data: kinds, error, retryable } = await loadOrError(fetchJobKinds());
  if (error !== undefined) {
    return (
      <>
        <h1>{title}</h1>
        <ApiErrorPanel message={error} retrying={retryable} />
      </>
    );
  }
  const chosen = kinds.find((one) => one.kind === asked) ?? kinds[0];
  const hrefOf = (kind: string | undefined, asSweep: boolean) => ({
    pathname: '/queue',
    query: { ...(kind === undefined ? {} : { kind }), ...(asSweep ? { as: 'sweep' } : {}) },
  });
  return (
    <>
      <h1>{title}</h1>
      <nav
        className="axis-choices queue-modes"
        aria-label="What to queue"
        data-testid="queue-modes"
      >
        <span className="axis-choice">
          <Link href={hrefOf(chosen?.kind, false)} aria-current={sweep ? undefined : 'true'}>
            One run
          </Link>
        </span>
        <span className="axis-choice">
          <Link
            href={hrefOf(chosen?.kind, true)}
            aria-current={sweep ? 'true' : undefined}
            data-testid="sweep-mode"
          >
            A sweep
          </Link>
        </span>
      </nav>
      <nav className="axis-choices queue-kinds" aria-label="Job kinds" data-testid="job-kinds">
        {kinds.map((one) => (
          <span key={one.kind} className="axis-choice">
            <Link
              href={hrefOf(one.kind, sweep)}
              aria-current={one.kind === chosen?.kind ? 'true' : undefined}
            >
              {one.kind}
            </Link>
          </span>
        ))}
      </nav>
      <p className="muted page-lede">
        {sweep
          ? 'One run per point: every combination of the values (grid) or random points. The count is shown before anything is queued; the API checks every point against the job’s schema, all or nothing.'
          : 'Blank fields take their defaults. The form is generated from the job’s config schema, the one the worker checks; the API checks it again when the run is queued.'}
      </p>
      {chosen !== undefined &&
        (sweep ? (
          <SweepForm
            key={chosen.kind}
            kind={chosen.kind}
            fields={formFields(chosen.configSchema)}
          />
        ) : (
          <QueueForm
            key={chosen.kind}
            kind={chosen.kind}
            fields={formFields(chosen.configSchema)}
          />
        ))}
    </>
  );
}
