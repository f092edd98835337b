import * as echarts from 'echarts';

/** One line of a training run's history.jsonl: the step and the metrics reported at it. */
export type HistoryPoint = { step: number } & Record<string, number>;

export interface HistoryPlotOptions {
  metrics: readonly string[];
  title: string;
  width?: number;
  height?: number;
}

/** Parses history.jsonl text; `source` names the file in errors. */
export function parseHistory(text: string, source: string): HistoryPoint[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, index) => {
      let point: unknown;
      try {
        point = JSON.parse(line);
      } catch {
        throw new Error(`${source}: line ${index + 1} is not JSON`);
      }
      if (
        typeof point !== 'object' ||
        point === null ||
        typeof (point as HistoryPoint).step !== 'number'
      )
        throw new Error(`${source}: line ${index + 1} has no numeric "step"`);
      return point as HistoryPoint;
    });
}

/**
 * The named metrics of a run's history against its steps, as an SVG line chart (server-side
 * rendered by ECharts). A metric missing from the history is an error naming those it has.
 */
export function historyPlotSvg(
  history: readonly HistoryPoint[],
  options: HistoryPlotOptions,
): string {
  const present = new Set(history.flatMap((point) => Object.keys(point)));
  const missing = options.metrics.filter((metric) => !present.has(metric));
  if (missing.length > 0) {
    const known = [...present].filter((key) => key !== 'step').join(', ');
    throw new Error(`no ${missing.join(', ')} in the history (it has: ${known})`);
  }
  const chart = echarts.init(null, null, {
    renderer: 'svg',
    ssr: true,
    width: options.width ?? 800,
    height: options.height ?? 400,
  });
  try {
    chart.setOption({
      animation: false,
      backgroundColor: '#ffffff',
      title: { text: options.title, left: 'center', textStyle: { fontSize: 14 } },
      legend: { top: 28 },
      grid: { left: 60, right: 24, top: 64, bottom: 48 },
      xAxis: { type: 'value', name: 'step', nameLocation: 'middle', nameGap: 28 },
      yAxis: { type: 'value', scale: true },
      series: options.metrics.map((metric) => {
        const data = history.flatMap((point) =>
          point[metric] === undefined ? [] : [[point.step, point[metric]]],
        );
        return {
          name: metric,
          type: 'line',
          data,
          showSymbol: data.length <= 50,
          lineStyle: { width: data.length > 50 ? 1 : 2 },
        };
      }),
    });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}
