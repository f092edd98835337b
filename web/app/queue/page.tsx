import Link from 'next/link';
import { ApiErrorPanel } from '../_components/api-error-panel.tsx';
import { QueueForm } from '../_components/queue-form.tsx';
import { loadOrError } from '../../lib/graphql.ts';
import { fetchJobKinds } from '../../lib/job-kinds.ts';
import { formFields } from '../../lib/schema-form.ts';
import { firstParam, type SearchParams } from '../../lib/search-params.ts';

export const dynamic = 'force-dynamic';

export const metadata = { title: 'Queue a run · FactorLab' };

export default async function QueuePage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const asked = firstParam((await searchParams).kind);
  const { data: kinds, error, retryable } = await loadOrError(fetchJobKinds());
  if (error !== undefined) {
    return (
      <>
        <h1>Queue a run</h1>
        <ApiErrorPanel message={error} retrying={retryable} />
      </>
    );
  }
  const chosen = kinds.find((one) => one.kind === asked) ?? kinds[0];
  return (
    <>
      <h1>Queue a run</h1>
      <nav className="axis-choices queue-kinds" aria-label="Job kinds" data-testid="job-kinds">
        {kinds.map((one) => (
          <span key={one.kind} className="axis-choice">
            <Link
              href={{ pathname: '/queue', query: { kind: one.kind } }}
              aria-current={one.kind === chosen?.kind ? 'true' : undefined}
            >
              {one.kind}
            </Link>
          </span>
        ))}
      </nav>
      <p className="muted page-lede">
        Blank fields take their defaults. The form is generated from the job&apos;s config schema,
        the one the worker checks; the API checks it again when the run is queued.
      </p>
      {chosen !== undefined && (
        <QueueForm key={chosen.kind} kind={chosen.kind} fields={formFields(chosen.configSchema)} />
      )}
    </>
  );
}
