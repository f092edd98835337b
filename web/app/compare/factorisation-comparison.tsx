import type { ComparedRun } from '../../lib/compare.ts';
import { factorisationParts } from '../../lib/factorisation.ts';
import { RunColumns } from '../_components/compare-tables.tsx';

const PART_ORDER = ['dense', 'N', 'k', 'split', 'router', 'gating', 'PA', 'KD'] as const;

/**
 * The compared runs' factorisations part by part (N, k, split, router, gating, PA, KD), rows where
 * the runs disagree marked as config rows are; nothing when no run is a factorisation or dense.
 */
export function FactorisationComparison({ runs }: { runs: ComparedRun[] }) {
  if (runs.every((run) => run.factorisation === null)) return null;
  const partsByRun = runs.map(
    (run) =>
      new Map(
        (run.factorisation ? factorisationParts(run.factorisation) : []).map((part) => [
          part.name,
          part,
        ]),
      ),
  );
  const rows = PART_ORDER.filter((name) => partsByRun.some((parts) => parts.has(name)));
  return (
    <>
      <h2>Factorisation</h2>
      <div className="table-scroll">
        <table className="data-table compare-table" data-testid="factorisation-comparison">
          <thead>
            <tr>
              <th scope="col">Part</th>
              <RunColumns runs={runs} />
            </tr>
          </thead>
          <tbody>
            {rows.map((name) => {
              const values = partsByRun.map((parts) => parts.get(name)?.value ?? null);
              const differs = values.some((value) => value !== values[0]);
              const title = partsByRun.find((parts) => parts.has(name))?.get(name)?.title;
              return (
                <tr
                  key={name}
                  data-testid="factorisation-row"
                  data-part={name}
                  data-differs={differs}
                  className={differs ? 'differs' : undefined}
                >
                  <th scope="row" className="config-key" title={title}>
                    {name}
                  </th>
                  {values.map((value, i) => (
                    <td key={runs[i]!.id}>{value ?? <span className="muted">—</span>}</td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}
