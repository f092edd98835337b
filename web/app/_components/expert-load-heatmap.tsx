'use client';

import { HeatmapChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useMemo } from 'react';
import { useEChart } from './use-echart.ts';

echarts.use([HeatmapChart, GridComponent, TooltipComponent, VisualMapComponent, SVGRenderer]);

interface ExpertLoadHeatmapProps {
  /** Layer numbers, top to bottom. */
  layers: number[];
  experts: number;
  /** shares[row][expert]: that layer's share of choices going to the expert; null if unreported. */
  shares: (number | null)[][];
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

function optionFor({ layers, experts, shares }: ExpertLoadHeatmapProps): echarts.EChartsCoreOption {
  const cells = shares.flatMap((row, y) =>
    row.flatMap((share, x) => (share === null ? [] : [[x, y, share]])),
  );
  const largest = Math.max(1 / experts, ...cells.map((cell) => cell[2]!));
  return {
    animation: false,
    backgroundColor: 'transparent',
    grid: { left: 64, right: 16, top: 8, bottom: 64 },
    tooltip: {
      formatter: (params: { value: [number, number, number] }) => {
        const [expert, row, share] = params.value;
        return `layer ${layers[row]}, expert ${expert}: ${percent(share)} of the choices`;
      },
    },
    xAxis: {
      type: 'category',
      data: Array.from({ length: experts }, (_, expert) => `expert ${expert}`),
      splitArea: { show: true },
    },
    yAxis: {
      type: 'category',
      data: layers.map((layer) => `layer ${layer}`),
      inverse: true,
      splitArea: { show: true },
    },
    // Balanced routing is 1/N everywhere; the scale runs from none to the largest share seen.
    visualMap: {
      min: 0,
      max: largest,
      calculable: false,
      orient: 'horizontal',
      left: 'center',
      bottom: 0,
      itemHeight: 120,
      formatter: (value: number) => percent(value),
    },
    series: [
      {
        type: 'heatmap',
        data: cells,
        label: { show: experts <= 16, formatter: (p: { value: number[] }) => percent(p.value[2]!) },
      },
    ],
  };
}

/** Each layer's share of router choices per expert, as a layers x experts heatmap (ECharts). */
export function ExpertLoadHeatmap(props: ExpertLoadHeatmapProps) {
  const signature = JSON.stringify(props);
  // Rebuilt only when the shares change, not on every render of the page.
  const option = useMemo(() => optionFor(props), [signature]);
  const box = useEChart(option, signature);
  const height = 96 + 34 * props.layers.length;
  return (
    <div
      ref={box}
      className="echart"
      style={{ height }}
      role="img"
      aria-label={`Share of router choices per expert, ${props.layers.length} layers by ${props.experts} experts`}
      data-testid="expert-load-heatmap"
    />
  );
}
