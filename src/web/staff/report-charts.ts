/**
 * Bar charts as SVG rendered on the server by Observable Plot over a linkedom document (#25):
 * no script in the page, readable without JavaScript (a `<title>` and `<desc>` the SVG is labelled
 * by, one `<title>` per bar), styled by the portal's stylesheet (the strict CSP forbids inline
 * styles, so Plot's `<style>` is dropped). Plot and linkedom are imported on the first chart only,
 * so an app whose reports are never opened does not hold them in memory.
 */

import type { Locale } from '../../templates/format.js';

type PlotModule = typeof import('@observablehq/plot');
type LinkedomModule = typeof import('linkedom');

let libraries: Promise<[PlotModule, LinkedomModule]> | undefined;

function loadLibraries(): Promise<[PlotModule, LinkedomModule]> {
  libraries ??= Promise.all([import('@observablehq/plot'), import('linkedom')]);
  return libraries;
}

export interface Bar {
  /** The category (a month, a week, a channel, a status). */
  label: string;
  value: number;
  /** The stack the bar belongs to (met / missed); absent for simple bars. */
  series?: string;
}

export interface BarChart {
  /** Unique on the page: ids of its title and description. */
  id: string;
  title: string;
  desc: string;
  bars: readonly Bar[];
  /** Category order (all shown even with no bar). */
  labels: readonly string[];
  valueLabel: string;
  /** Text of one bar for its tooltip and screen readers. */
  formatValue(value: number): string;
  /** The page's language: the value axis's numbers are written in it (`0,5` / `0.5`). */
  locale: Locale;
  /** Counted things (tickets): the value axis has whole-number ticks only, never `0,5` tickets. */
  integer?: boolean;
  /** Horizontal bars (long category names). */
  horizontal?: boolean;
  /** Series in stack order with their colours (the HTML legend beside the chart uses the same). */
  series?: ReadonlyArray<{ key: string; color: string }>;
}

/** Bars on white: contrast 6.6:1 (WCAG 1.4.11 asks 3:1 for graphics). */
export const BAR_COLOR = '#1f5fa8';

/** Decimals that write `value` exactly (at most 4; ticks are round numbers). */
function decimalsOf(value: number): number {
  const text = String(Number(value.toFixed(4)));
  return text.includes('.') ? text.length - text.indexOf('.') - 1 : 0;
}

/**
 * Tick labels of a value axis in the page's language: a decimal comma and `.` between thousands
 * in Italian (`0,5`, `1.250`), a decimal point and `,` in English (`0.5`, `1,250`), as Plot writes
 * them; every tick with the decimals the finest one needs (`0,0 0,5 1,0`). Plot passes the ticks
 * as the third argument; without them each number keeps its own decimals.
 */
export function axisTickFormat(
  locale: Locale,
): (value: number, index?: number, ticks?: readonly number[]) => string {
  const [thousands, decimal] = locale === 'it' ? ['.', ','] : [',', '.'];
  return (value, _index, ticks) => {
    const decimals = Math.max(decimalsOf(value), ...(ticks ?? []).map(decimalsOf));
    const [whole = '', fraction] = Math.abs(value).toFixed(decimals).split('.');
    const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, thousands);
    return `${value < 0 ? '−' : ''}${grouped}${fraction ? `${decimal}${fraction}` : ''}`;
  };
}

/**
 * Whole-number ticks from 0 for counts up to `max` (the tallest bar or stack): a step of 1, 2 or 5
 * times a power of ten giving at most 8 intervals, the last tick at or above `max` (`0 1 2 3` for 3;
 * `0 1` when every bar is 0).
 */
export function integerTicks(max: number): number[] {
  const top = Math.max(1, Math.ceil(max));
  let power = 1;
  while (Math.ceil(top / (5 * power)) > 8) power *= 10;
  const step = [1, 2, 5].map((m) => m * power).find((s) => Math.ceil(top / s) <= 8)!;
  return Array.from({ length: Math.ceil(top / step) + 1 }, (_, k) => k * step);
}

/** The tallest bar, or the tallest stack of bars sharing a label. */
function tallest(bars: readonly Bar[]): number {
  const sums = new Map<string, number>();
  for (const b of bars) sums.set(b.label, (sums.get(b.label) ?? 0) + Math.max(0, b.value));
  return Math.max(0, ...sums.values());
}

const escapeXml = (text: string) =>
  text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** The chart as SVG markup (safe to embed: text comes out escaped by the serializer). */
export async function renderBarChart(chart: BarChart): Promise<string> {
  const [Plot, { parseHTML }] = await loadLibraries();
  const { document } = parseHTML('<!doctype html><html><body></body></html>');
  const colorOf = new Map((chart.series ?? []).map((s) => [s.key, s.color]));
  const data = chart.bars.map((b) => ({
    ...b,
    tip: `${b.label}${b.series ? ` · ${b.series}` : ''}: ${chart.formatValue(b.value)}`,
  }));
  const category = { domain: [...chart.labels], type: 'band' as const, label: null };
  const ticks = chart.integer ? integerTicks(tallest(chart.bars)) : undefined;
  const value = {
    label: chart.valueLabel,
    grid: true,
    tickFormat: axisTickFormat(chart.locale),
    ...(ticks ? { domain: [0, ticks.at(-1)!], ticks } : { nice: true }),
  };
  const fill = chart.series ? (d: Bar) => colorOf.get(d.series ?? '') ?? BAR_COLOR : BAR_COLOR;
  const horizontal = chart.horizontal === true;
  const svg = Plot.plot({
    document,
    width: 720,
    height: horizontal ? 60 + 32 * chart.labels.length : 320,
    marginLeft: horizontal ? 160 : 56,
    marginBottom: horizontal ? 40 : 56,
    color: { type: 'identity' },
    x: horizontal ? value : { ...category, tickRotate: chart.labels.length > 8 ? -45 : 0 },
    y: horizontal ? category : value,
    marks: [
      horizontal
        ? Plot.barX(data, { y: 'label', x: 'value', fill, title: 'tip' })
        : Plot.barY(data, { x: 'label', y: 'value', fill, title: 'tip' }),
      horizontal ? Plot.ruleX([0]) : Plot.ruleY([0]),
    ],
  }) as unknown as Element;
  for (const style of [...svg.querySelectorAll('style')]) style.remove();
  // The SVG is one image named by its title and description (role="img"): Plot's labels on
  // inner groups would be ARIA attributes on elements without a role (axe: aria-prohibited-attr).
  for (const g of [...svg.querySelectorAll('[aria-label]')]) g.removeAttribute('aria-label');
  svg.setAttribute('class', 'chart');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-labelledby', `${chart.id}-title ${chart.id}-desc`);
  const title = `<title id="${chart.id}-title">${escapeXml(chart.title)}</title><desc id="${chart.id}-desc">${escapeXml(chart.desc)}</desc>`;
  return svg.outerHTML.replace(/^<svg([^>]*)>/, (open) => `${open}${title}`);
}
