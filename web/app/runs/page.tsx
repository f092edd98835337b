import { redirect } from 'next/navigation';
import { firstParam, type SearchParams } from '../../lib/search-params.ts';

/** `/runs?id=1a2b3c4d`, what the "Open run" box sends: the run's page, which resolves short ids. */
export default async function OpenRun({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const id = firstParam((await searchParams).id)?.trim();
  redirect(id ? `/runs/${encodeURIComponent(id)}` : '/');
}
