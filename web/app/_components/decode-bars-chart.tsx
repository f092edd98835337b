'use client';

import { BarChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useMemo } from 'react';
import { seriesColor } from '../../lib/chart-palette.ts';
import type { DecodeBar } from '../../lib/decode-bars.ts';
import { useEChart } from './use-echart.ts';

echarts.use([BarChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

function optionFor(bars: DecodeBar[]): echarts.EChartsCoreOption {
  return {
    animation: false,
    backgroundColor: 'transparent',
    grid: { left: 16, right: 56, top: 30, bottom: 28, containLabel: true },
    legend: { top: 0, data: ['dense, same run', 'this configuration'] },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    xAxis: { type: 'value', name: 'decode tok/s', nameLocation: 'middle', nameGap: 22 },
    yAxis: { type: 'category', data: bars.map((bar) => bar.label), inverse: true },
    series: [
      {
        name: 'dense, same run',
        type: 'bar',
        color: seriesColor(1),
        data: bars.map((bar) => bar.denseDecodeTokS),
      },
      {
        name: 'this configuration',
        type: 'bar',
        color: seriesColor(0),
        data: bars.map((bar) => bar.decodeTokS),
        label: { show: true, position: 'right', formatter: '{c}' },
      },
    ],
  };
}

/** Decode tokens/s of each run as a bar, the dense model's from the same run beside it. */
export function DecodeBarsChart({ bars }: { bars: DecodeBar[] }) {
  const signature = JSON.stringify(bars);
  // Rebuilt only when the figures change, not on every render of the page.
  const option = useMemo(() => optionFor(bars), [signature]);
  const box = useEChart(option, signature);
  return (
    <div
      ref={box}
      className="echart"
      style={{ height: 70 + 44 * bars.length }}
      role="img"
      aria-label="Decode tokens per second of each run, dense beside factorised"
      data-testid="decode-bars-chart"
    />
  );
}
