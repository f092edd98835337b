import Link from 'next/link';
import { shortId } from '../../lib/format.ts';
import { columnValue, type LeaderboardRow } from '../../lib/leaderboard.ts';
import type { ColumnGroup, LeaderboardColumn } from '../../lib/leaderboard-columns.ts';
import { leaderboardHref, type LeaderboardQuery } from '../../lib/leaderboard-query.ts';
import { ScatterChart } from './scatter-chart.tsx';

/** Axes tried first when the URL picks none: the trade-off the lab is about. */
const PREFERRED_AXES: Record<ColumnGroup, string[]> = {
  speed: ['speedup', 'decodeTokS'],
  quality: ['retention', 'accuracy'],
};

function axisCandidates(columns: LeaderboardColumn[], group: ColumnGroup): LeaderboardColumn[] {
  const preferred = PREFERRED_AXES[group];
  const rank = (column: LeaderboardColumn) => {
    const index = preferred.indexOf(column.field);
    return index === -1 ? preferred.length : index;
  };
  return columns.filter((column) => column.group === group).sort((a, b) => rank(a) - rank(b));
}

/** The axis the URL names, else the first candidate any row has a value for. */
function pickAxis(
  candidates: LeaderboardColumn[],
  requested: string | null,
  rows: LeaderboardRow[],
): LeaderboardColumn | undefined {
  return (
    candidates.find((column) => column.field === requested) ??
    candidates.find((column) => rows.some((row) => columnValue(row, column) !== null)) ??
    candidates[0]
  );
}

interface LeaderboardScatterProps {
  rows: LeaderboardRow[];
  columns: LeaderboardColumn[];
  query: LeaderboardQuery;
}

/** Speed against quality for the rows of this page, with links to switch either axis. */
export function LeaderboardScatter({ rows, columns, query }: LeaderboardScatterProps) {
  const xCandidates = axisCandidates(columns, 'speed');
  const yCandidates = axisCandidates(columns, 'quality');
  const xAxis = pickAxis(xCandidates, query.x, rows);
  const yAxis = pickAxis(yCandidates, query.y, rows);
  if (xAxis === undefined || yAxis === undefined) return null;
  const points = rows.flatMap((row) => {
    const x = columnValue(row, xAxis);
    const y = columnValue(row, yAxis);
    if (x === null || y === null) return [];
    const label = `${row.run.name} ${shortId(row.run.id)}`;
    return [{ id: row.run.id, label, href: `/runs/${row.run.id}`, x, y }];
  });
  const missing = rows.length - points.length;

  return (
    <section className="scatter-panel" data-testid="leaderboard-scatter">
      <div className="axis-choices">
        <AxisChoice
          name="Speed (x)"
          param="x"
          choices={xCandidates}
          current={xAxis}
          query={query}
        />
        <AxisChoice
          name="Quality (y)"
          param="y"
          choices={yCandidates}
          current={yAxis}
          query={query}
        />
      </div>
      {points.length === 0 ? (
        <p className="muted" data-testid="scatter-empty">
          No configuration on this page reports both {xAxis.label.toLowerCase()} and{' '}
          {yAxis.label.toLowerCase()} yet.
        </p>
      ) : (
        <>
          <ScatterChart
            points={points}
            xLabel={xAxis.label}
            yLabel={yAxis.label}
            lowerYIsBetter={yAxis.lowerIsBetter}
          />
          <p className="muted chart-note">
            {points.length} configurations of this page; the line joins the Pareto front
            {missing > 0 && `; ${missing} without both values are left out`}.
          </p>
        </>
      )}
    </section>
  );
}

interface AxisChoiceProps {
  name: string;
  param: 'x' | 'y';
  choices: LeaderboardColumn[];
  current: LeaderboardColumn;
  query: LeaderboardQuery;
}

function AxisChoice({ name, param, choices, current, query }: AxisChoiceProps) {
  return (
    <span className="axis-choice">
      <span className="muted">{name}:</span>
      {choices.map((column) => (
        <Link
          key={column.field}
          href={leaderboardHref(query, { [param]: column.field })}
          aria-current={column.field === current.field ? 'true' : undefined}
          scroll={false}
          prefetch={false}
        >
          {column.label}
        </Link>
      ))}
    </span>
  );
}
