import Link from 'next/link';
import { ApiErrorPanel } from '../_components/api-error-panel.tsx';
import { formatBytes, formatTimestamp } from '../../lib/format.ts';
import { loadOrError } from '../../lib/graphql.ts';
import { fetchModelsPage, type RegisteredModel } from '../../lib/models.ts';
import { firstParam, type SearchParams } from '../../lib/search-params.ts';

export const dynamic = 'force-dynamic';

export const metadata = { title: 'Models · FactorLab' };

/** `4.2M` parameters. */
function formatCount(count: number): string {
  return count.toLocaleString('en-US', { notation: 'compact', maximumSignificantDigits: 3 });
}

/** The shape a Llama config declares: layers × hidden (FFN), heads, vocabulary. */
function shapeOf(config: Record<string, unknown>): string {
  const read = (key: string) => (typeof config[key] === 'number' ? String(config[key]) : '?');
  return `${read('num_hidden_layers')} × ${read('hidden_size')} (FFN ${read('intermediate_size')}), ${read('num_attention_heads')} heads, vocab ${read('vocab_size')}`;
}

export default async function ModelsPage({
  searchParams,
}: {
  searchParams: Promise<SearchParams>;
}) {
  const after = firstParam((await searchParams).after);
  const { data: page, error, retryable } = await loadOrError(fetchModelsPage(after));
  if (error !== undefined) {
    return (
      <>
        <h1>Models</h1>
        <ApiErrorPanel message={error} retrying={retryable} />
      </>
    );
  }
  return (
    <>
      <h1>
        Models <span className="muted count">{page.totalCount}</span>
      </h1>
      <p className="muted page-lede">
        Registered checkpoint folders: what a run&apos;s <code>model</code> names. Register one with
        the API&apos;s <code>registerModel</code> mutation; <code>npm start</code> registers the
        demo model.
      </p>
      {page.models.length === 0 ? (
        <p className="panel" data-testid="models-empty">
          No model registered yet.
        </p>
      ) : (
        <div className="table-scroll">
          <table className="data-table compact-table" data-testid="models-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Shape</th>
                <th className="numeric">Parameters</th>
                <th>Dtype</th>
                <th className="numeric">Size</th>
                <th>SHA-256</th>
                <th className="numeric">Runs</th>
                <th>Registered</th>
              </tr>
            </thead>
            <tbody>
              {page.models.map((model) => (
                <ModelRow key={model.id} model={model} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav className="pager" aria-label="Pages">
        {after !== null && <Link href="/models">First page</Link>}
        {page.nextCursor !== null && (
          <Link href={{ pathname: '/models', query: { after: page.nextCursor } }}>Next page</Link>
        )}
      </nav>
    </>
  );
}

function ModelRow({ model }: { model: RegisteredModel }) {
  const dtype = typeof model.config.torch_dtype === 'string' ? model.config.torch_dtype : '—';
  return (
    <tr data-testid="model-row" data-model-id={model.id}>
      <td title={model.path}>
        <strong>{model.name}</strong> <span className="muted run-id">{model.path}</span>
      </td>
      <td>{shapeOf(model.config)}</td>
      <td className="numeric" title={model.parameterCount.toLocaleString('en-US')}>
        {formatCount(model.parameterCount)}
      </td>
      <td>{dtype}</td>
      <td className="numeric">{formatBytes(model.bytes)}</td>
      <td className="run-id" title={model.sha256}>
        {model.sha256.slice(0, 12)}
      </td>
      <td className="numeric" data-testid="model-runs">
        {model.runCount}
      </td>
      <td className="numeric">{formatTimestamp(model.createdAt)}</td>
    </tr>
  );
}
