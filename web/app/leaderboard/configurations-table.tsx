import Link from 'next/link';
import { varyingConfigKeysByKind } from '../../lib/config-summary.ts';
import { formatCellMetric, formatTimestamp, shortId } from '../../lib/format.ts';
import { columnSpread, columnValue, type LeaderboardRow } from '../../lib/leaderboard.ts';
import type { ColumnGroup, LeaderboardColumn } from '../../lib/leaderboard-columns.ts';
import {
  leaderboardHref,
  type Direction,
  type LeaderboardQuery,
} from '../../lib/leaderboard-query.ts';
import { ConfigCell } from '../_components/config-cell.tsx';
import { DeviceLabel } from '../_components/device-label.tsx';
import { NoiseFlag } from '../_components/noise-flag.tsx';
import { SortHeader } from '../_components/sort-header.tsx';
import { SpreadValue } from '../_components/spread-value.tsx';
import { FactorisationCell } from './factorisation-cell.tsx';

interface ConfigurationsTableProps {
  rows: LeaderboardRow[];
  columns: LeaderboardColumn[];
  query: LeaderboardQuery;
}

const GROUP_LABELS: Record<ColumnGroup, string> = { quality: 'Quality', speed: 'Speed' };

/** Followed once, a header sorts best first; followed again, it reverses. */
function sortLink(query: LeaderboardQuery, sort: string, bestFirst: Direction) {
  const active = query.sort === sort ? query.direction : null;
  const direction: Direction = active === null ? bestFirst : active === 'ASC' ? 'DESC' : 'ASC';
  return { href: leaderboardHref(query, { sort, direction }), active };
}

/**
 * A figure of one configuration: the mean and spread over its runs when it has several, else its
 * representative run's value; an efficiency past 1 flagged as noise either way.
 */
function FigureCell({ row, column }: { row: LeaderboardRow; column: LeaderboardColumn }) {
  const spread = row.runCount > 1 ? columnSpread(row, column) : null;
  if (spread !== null && column.metricKey !== null) {
    return <SpreadValue spread={spread} metricKey={column.metricKey} />;
  }
  const value = columnValue(row, column);
  if (value === null) return <span className="muted">—</span>;
  return (
    <>
      {formatCellMetric(value)}
      {column.field === 'efficiency' && <NoiseFlag efficiency={value} />}
    </>
  );
}

/**
 * One row per finished configuration with its factorisation (or `dense`) and figures; its
 * checkbox picks the representative run to compare.
 */
export function ConfigurationsTable({ rows, columns, query }: ConfigurationsTableProps) {
  const groups = (['quality', 'speed'] as const)
    .map((group) => ({ group, columns: columns.filter((column) => column.group === group) }))
    .filter(({ columns: inGroup }) => inGroup.length > 0);
  const varying = varyingConfigKeysByKind(rows);
  return (
    <div className="table-scroll">
      <table className="data-table compact-table leaderboard-table" data-testid="leaderboard-table">
        <thead>
          <tr className="group-row">
            <th colSpan={4} />
            {groups.map(({ group, columns: inGroup }) => (
              <th key={group} colSpan={inGroup.length} scope="colgroup" className="group-label">
                {GROUP_LABELS[group]}
              </th>
            ))}
            <th colSpan={3} />
          </tr>
          <tr>
            <th scope="col">
              <span className="visually-hidden">Compare</span>
            </th>
            <th scope="col">Run</th>
            <th scope="col">Factorisation</th>
            <th scope="col">Config</th>
            {groups.flatMap(({ columns: inGroup }) =>
              inGroup.map((column) => {
                const sort =
                  column.metricKey === null
                    ? { href: null, active: null }
                    : sortLink(query, column.metricKey, column.lowerIsBetter ? 'ASC' : 'DESC');
                return (
                  <SortHeader
                    key={`${column.group}.${column.field}`}
                    label={column.label}
                    numeric
                    {...sort}
                  />
                );
              }),
            )}
            <SortHeader label="Runs" numeric {...sortLink(query, 'runs', 'DESC')} />
            <th scope="col">Device</th>
            <SortHeader label="Finished" {...sortLink(query, 'finished', 'DESC')} />
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.run.id} data-testid="leaderboard-row" data-run-id={row.run.id}>
              <td>
                <input
                  type="checkbox"
                  name="runs"
                  value={row.run.id}
                  aria-label={`Compare run ${shortId(row.run.id)}`}
                  data-testid="compare-checkbox"
                />
              </td>
              <td className="kind-name" title={row.run.name}>
                <Link
                  href={`/runs/${row.run.id}`}
                  prefetch={false}
                  className="run-id"
                  title={row.run.id}
                >
                  {shortId(row.run.id)}
                </Link>{' '}
                <span className="run-kind">{row.kind}</span>
              </td>
              <td data-column="factorisation">
                <FactorisationCell factorisation={row.factorisation} />
              </td>
              <td>
                <ConfigCell config={row.config} varying={varying.get(row.kind) ?? []} />
              </td>
              {groups.flatMap(({ columns: inGroup }) =>
                inGroup.map((column) => {
                  const value = columnValue(row, column);
                  return (
                    <td
                      key={`${column.group}.${column.field}`}
                      className="numeric"
                      data-column={column.field}
                      title={value === null ? undefined : String(value)}
                    >
                      <FigureCell row={row} column={column} />
                    </td>
                  );
                }),
              )}
              <td className="numeric">{row.runCount}</td>
              <td data-column="device">
                <DeviceLabel device={row.device} />
              </td>
              <td className="numeric">
                <time dateTime={row.run.finishedAt ?? undefined}>
                  {formatTimestamp(row.run.finishedAt)}
                </time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
