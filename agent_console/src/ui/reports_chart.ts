/**
 * A bar chart of counts, drawn by uPlot (https://github.com/leeoniya/uPlot: small,
 * fast, no dependencies, kept up; in the reports bundle only). A chart is a picture
 * for the eyes: its wrapper is `aria-hidden`, and the view puts the same numbers
 * beside it as a sentence and a table (reports.ts), which is what a screen
 * reader reads.
 *
 * Bars are drawn over each other, each series in front of the one before: the
 * series are subsets (the missed chats of a day are some of its chats), so the
 * front bar reads as the part of the one behind it.
 */
import uPlot from 'uplot';
import { h } from '../dom';

export interface BarSeries {
  label: string;
  values: number[];
  color: string;
}

const AXIS = '#57606a'; // --muted: 4.5:1 on white
const GRID = '#e3e6ea'; // --line
const FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const HEIGHT = 220;

/** Steps between labelled bars: 1, 2, a week, two weeks, a month, a quarter. */
const STEPS = [1, 2, 3, 7, 14, 28, 56, 91];

export function barChart(name: string, labels: string[], series: BarSeries[]): { el: HTMLElement; draw: (width: number) => void } {
  const el = h('div', { class: 'chart', 'aria-hidden': 'true', 'data-chart': name });
  const xs = labels.map((_, i) => i);
  let plot: uPlot | null = null;
  const draw = (width: number) => {
    if (plot) {
      plot.setSize({ width, height: HEIGHT });
      return;
    }
    plot = new uPlot({
      width,
      height: HEIGHT,
      legend: { show: false },
      cursor: { show: false },
      select: { show: false, left: 0, top: 0, width: 0, height: 0 },
      scales: {
        x: { time: false, range: (_u, min, max) => [min - 0.5, max + 0.5] },
        y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.1] },
      },
      axes: [
        {
          stroke: AXIS, font: FONT, grid: { show: false }, ticks: { show: false }, space: 40, incrs: STEPS,
          values: (_u, splits) => splits.map((v) => (Number.isInteger(v) ? labels[v] ?? '' : '')),
        },
        {
          stroke: AXIS, font: FONT, grid: { stroke: GRID, width: 1 }, ticks: { show: false }, space: 30,
          incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000],
          values: (_u, splits) => splits.map((v) => (Number.isInteger(v) ? v.toLocaleString() : '')),
        },
      ],
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          fill: s.color,
          width: 0,
          points: { show: false },
          paths: uPlot.paths.bars!({ size: [0.7, 48], align: 0 as const }),
        })),
      ],
    }, [xs, ...series.map((s) => s.values)], el);
  };
  return { el, draw };
}
