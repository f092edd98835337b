'use client';

import { LineChart as EChartsLineChart } from 'echarts/charts';
import {
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  TooltipComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useMemo } from 'react';
import type { SeriesPoint } from '../../lib/series.ts';
import { useEChart } from './use-echart.ts';

echarts.use([
  EChartsLineChart,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  DataZoomComponent,
  SVGRenderer,
]);

export interface PlottedLine {
  label: string;
  color: string;
  points: SeriesPoint[];
}

/** A stable string of what is drawn, so a live refresh with the same points redraws nothing. */
function signatureOf(lines: PlottedLine[]): string {
  return JSON.stringify([lines.map((l) => [l.label, l.color, l.points])]);
}

function optionFor(lines: PlottedLine[]): echarts.EChartsCoreOption {
  const banded = lines.filter((line) => line.points.some((point) => point.min !== point.max));
  return {
    animation: false,
    backgroundColor: 'transparent',
    grid: { left: 56, right: 16, top: lines.length > 1 ? 34 : 14, bottom: 36 },
    legend:
      lines.length > 1 ? { top: 0, type: 'scroll', data: lines.map((l) => l.label) } : undefined,
    tooltip: { trigger: 'axis', valueFormatter: (value: unknown) => formatTooltip(value) },
    xAxis: { type: 'value', name: 'step', nameLocation: 'middle', nameGap: 24, scale: true },
    // The figure's caption names the metric; the axis name would only crowd the plot.
    yAxis: { type: 'value', scale: true },
    dataZoom: [{ type: 'inside', xAxisIndex: 0 }],
    series: [
      ...lines.map((line) => ({
        name: line.label,
        type: 'line',
        showSymbol: line.points.length <= 60,
        symbolSize: 4,
        color: line.color,
        lineStyle: { width: 1.6 },
        data: line.points.map((point) => [point.step, point.value]),
      })),
      // Where the server merged several points into one, the band between their min and max keeps
      // spikes visible: an invisible line at the min with the range stacked on it.
      ...banded.flatMap((line) => [
        {
          name: `${line.label} min`,
          type: 'line',
          stack: `band-${line.label}`,
          symbol: 'none',
          lineStyle: { opacity: 0 },
          tooltip: { show: false },
          silent: true,
          data: line.points.map((point) => [point.step, point.min]),
        },
        {
          name: `${line.label} range`,
          type: 'line',
          stack: `band-${line.label}`,
          symbol: 'none',
          lineStyle: { opacity: 0 },
          areaStyle: { color: line.color, opacity: 0.15 },
          tooltip: { show: false },
          silent: true,
          data: line.points.map((point) => [point.step, point.max - point.min]),
        },
      ]),
    ],
  };
}

function formatTooltip(value: unknown): string {
  if (typeof value !== 'number') return String(value);
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e6)) return value.toExponential(3);
  return value.toLocaleString('en-US', { maximumSignificantDigits: 5 });
}

/**
 * Lines over steps drawn by ECharts in the browser (SVG), resized with their box; new points from
 * a live refresh update the chart in place, keeping the user's zoom.
 */
export function EChartsLines({ lines, ariaLabel }: { lines: PlottedLine[]; ariaLabel: string }) {
  const signature = signatureOf(lines);
  // The option is rebuilt only when what is drawn changes, not on every render of the page.
  const option = useMemo(() => optionFor(lines), [signature]);
  const box = useEChart(option, signature);
  return <div ref={box} className="echart" role="img" aria-label={ariaLabel} />;
}
