'use client';

import { LineChart, ScatterChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useRouter } from 'next/navigation';
import { useEffect, useMemo } from 'react';
import { seriesColor } from '../../lib/chart-palette.ts';
import { useEChart } from './use-echart.ts';

echarts.use([ScatterChart, LineChart, GridComponent, TooltipComponent, SVGRenderer]);

export interface PlottedPoint {
  id: string;
  label: string;
  href: string;
  x: number;
  y: number;
  onFront: boolean;
}

interface EChartsScatterProps {
  points: PlottedPoint[];
  xLabel: string;
  yLabel: string;
  /** The Pareto front's points in x order, joined by a dashed line. */
  front: { x: number; y: number }[];
}

function optionFor({ points, xLabel, yLabel, front }: EChartsScatterProps) {
  const color = seriesColor(0);
  return {
    animation: false,
    backgroundColor: 'transparent',
    grid: { left: 16, right: 24, top: 24, bottom: 36, containLabel: true },
    tooltip: { trigger: 'item' },
    xAxis: { type: 'value', name: xLabel, nameLocation: 'middle', nameGap: 26, scale: true },
    yAxis: { type: 'value', name: yLabel, nameLocation: 'end', scale: true },
    series: [
      {
        name: 'Pareto front',
        type: 'line',
        data: front.map((point) => [point.x, point.y]),
        symbol: 'none',
        silent: true,
        lineStyle: { type: 'dashed', width: 1, color: '#888' },
        tooltip: { show: false },
      },
      {
        name: 'configurations',
        type: 'scatter',
        symbolSize: 10,
        cursor: 'pointer',
        data: points.map((point) => ({
          value: [point.x, point.y],
          name: point.label,
          itemStyle: { color, opacity: point.onFront ? 1 : 0.5 },
        })),
        tooltip: {
          formatter: (params: { dataIndex: number }) => {
            const point = points[params.dataIndex]!;
            return `${point.label}<br/>${xLabel} ${point.x}, ${yLabel} ${point.y}`;
          },
        },
      },
    ],
  };
}

/** Configurations as points on two metrics (ECharts); a click opens the point's run. */
export function EChartsScatter(props: EChartsScatterProps) {
  const router = useRouter();
  const signature = JSON.stringify(props);
  // Rebuilt only when the points change, not on every render of the page.
  const option = useMemo(() => optionFor(props), [signature]);
  const box = useEChart(option, signature);
  const { points } = props;

  useEffect(() => {
    const element = box.current;
    const chart = element === null ? undefined : echarts.getInstanceByDom(element);
    if (chart === undefined) return;
    const open = (params: { seriesType?: string; dataIndex: number }) => {
      if (params.seriesType === 'scatter') router.push(points[params.dataIndex]!.href);
    };
    chart.on('click', open);
    return () => {
      if (!chart.isDisposed()) chart.off('click', open);
    };
  });

  return (
    <div
      ref={box}
      className="echart"
      role="img"
      aria-label={`${props.yLabel} against ${props.xLabel}`}
      data-testid="scatter-chart"
    />
  );
}
