import { formatTick } from '../../lib/chart-scale.ts';

/** The plot area inside a chart's SVG, in its own pixel units. */
export interface PlotArea {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export const DEFAULT_PLOT: PlotArea = {
  width: 560,
  height: 240,
  left: 56,
  right: 548,
  top: 12,
  bottom: 204,
};

interface AxisProps {
  ticks: number[];
  scale: (value: number) => number;
}

interface ChartAxesProps {
  area: PlotArea;
  x: AxisProps & { label: string };
  y: AxisProps & { label: string };
}

/** Grid lines, tick labels and axis titles of a chart whose scales are already chosen. */
export function ChartAxes({ area, x, y }: ChartAxesProps) {
  return (
    <g className="chart-axes">
      {y.ticks.map((tick) => (
        <g key={`y${tick}`}>
          <line
            className="chart-gridline"
            x1={area.left}
            x2={area.right}
            y1={y.scale(tick)}
            y2={y.scale(tick)}
          />
          <text
            className="chart-tick"
            x={area.left - 6}
            y={y.scale(tick)}
            textAnchor="end"
            dy="0.32em"
          >
            {formatTick(tick)}
          </text>
        </g>
      ))}
      {x.ticks.map((tick) => (
        <text
          key={`x${tick}`}
          className="chart-tick"
          x={x.scale(tick)}
          y={area.bottom + 16}
          textAnchor="middle"
        >
          {formatTick(tick)}
        </text>
      ))}
      <line
        className="chart-axis"
        x1={area.left}
        x2={area.right}
        y1={area.bottom}
        y2={area.bottom}
      />
      <line className="chart-axis" x1={area.left} x2={area.left} y1={area.top} y2={area.bottom} />
      <text className="chart-label" x={area.right} y={area.height - 4} textAnchor="end">
        {x.label}
      </text>
      <text
        className="chart-label"
        transform={`translate(12 ${area.top}) rotate(-90)`}
        textAnchor="end"
      >
        {y.label}
      </text>
    </g>
  );
}
