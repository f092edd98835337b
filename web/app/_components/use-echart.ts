'use client';

import * as echarts from 'echarts/core';
import { useEffect, useRef, useState, type RefObject } from 'react';
import { isDarkNow, THEME_CHANGE_EVENT } from '../../lib/theme.ts';

/** Whether the page is dark: the viewer's choice, else the system's; null before hydration. */
function useDarkTheme(): boolean | null {
  const [dark, setDark] = useState<boolean | null>(null);
  useEffect(() => {
    const follow = () => setDark(isDarkNow());
    follow();
    const system = window.matchMedia('(prefers-color-scheme: dark)');
    system.addEventListener('change', follow);
    window.addEventListener(THEME_CHANGE_EVENT, follow);
    return () => {
      system.removeEventListener('change', follow);
      window.removeEventListener(THEME_CHANGE_EVENT, follow);
    };
  }, []);
  return dark;
}

/**
 * An ECharts instance (SVG) in the returned box, in the page's theme (ECharts takes a theme at init
 * only, so a theme change draws it anew) and resized with its box. `option` is applied whenever
 * `signature` (a stable string of what is drawn) changes, so a live refresh with the same data
 * redraws nothing and keeps the user's zoom. The caller registers the chart types it uses.
 */
export function useEChart(
  option: echarts.EChartsCoreOption,
  signature: string,
  replaceMerge: string[] = ['series'],
): RefObject<HTMLDivElement | null> {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const drawn = useRef('');
  const latest = useRef({ option, signature });
  const dark = useDarkTheme();

  useEffect(() => {
    const element = box.current;
    if (element === null || dark === null) return;
    const instance = echarts.init(element, dark ? 'dark' : null, { renderer: 'svg' });
    chart.current = instance;
    drawn.current = latest.current.signature;
    instance.setOption(latest.current.option, { replaceMerge });
    const resize = new ResizeObserver(() => instance.resize());
    resize.observe(element);
    return () => {
      resize.disconnect();
      instance.dispose();
      chart.current = null;
      drawn.current = '';
    };
    // replaceMerge is fixed per chart kind; the theme is what re-creates the instance.
  }, [dark]);

  useEffect(() => {
    latest.current = { option, signature };
    if (chart.current === null || signature === drawn.current) return;
    drawn.current = signature;
    chart.current.setOption(option, { replaceMerge });
  }, [option, signature, replaceMerge]);

  return box;
}
