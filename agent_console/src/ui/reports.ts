/**
 * The Reports view: a site's figures for the range the page shows.
 *
 *   the range at a glance   chats, missed, waiting, first response, resolution, satisfaction
 *   chats by day            bars (chats, and the missed ones in front), a sentence, a table
 *   chats by hour           bars over the site's day, a sentence, a table
 *   per agent               a table: the same figures for each agent
 *   per tag                 the same for each tag, when the server sends them (`tags`)
 *
 * Each chart is drawn for the eyes only (reports_chart.ts); the sentence and the
 * table beside it say the same to everyone. It renders from the store
 * (reports_store.ts) whenever an intent says it changed. Plain DOM through `h()`:
 * names go in as text (`iso`), never as HTML.
 */
import { h, iso, replace } from '../dom';
import type { Breakdown, Figures, Report, ReportsStore } from '../reports_store';
import { barChart } from './reports_chart';
import { day, duration, hour, num, rt } from './reports_text';

// The bars' colours; the legend's swatches have the same in reports.css (no inline styles: CSP).
const CHATS = '#0b5bd3'; // --accent
const MISSED = '#cf222e'; // --bad

export class ReportsView {
  private charts: Array<(width: number) => void> = [];
  private resizeTimer: number | undefined;

  constructor(private store: ReportsStore, private root: HTMLElement) {
    store.on(() => this.render());
    window.addEventListener('resize', () => {
      window.clearTimeout(this.resizeTimer);
      this.resizeTimer = window.setTimeout(() => this.drawCharts(), 150);
    });
  }

  render(): void {
    const { store, root } = this;
    root.dataset.state = store.status;
    this.charts = [];
    if (store.status === 'loading') {
      replace(root, h('p', { class: 'report-status', role: 'status' }, rt('loading')));
    } else if (store.status === 'failed' || !store.report) {
      replace(root, h('p', { class: 'report-status error', role: 'alert' }, store.error));
    } else {
      const r = store.report;
      replace(root, this.glance(r.totals), this.byDay(r), this.byHour(r), this.perAgent(r),
        r.tags ? this.breakdown('per-tag', rt('perTag'), rt('tag'), rt('noTag'), rt('noTags'), r.tags) : null);
      this.drawCharts();
    }
  }

  private drawCharts(): void {
    for (const draw of this.charts) draw(Math.max(240, this.root.clientWidth));
  }

  private glance(t: Figures): HTMLElement {
    const kpi = (cls: string, term: string, value: string, note: string) =>
      h('div', { class: `kpi ${cls}` }, h('dt', null, term), h('dd', null, h('strong', null, value), h('span', { class: 'muted' }, note)));
    const timing = (cls: string, term: string, f: Figures['first_response']) => kpi(cls, term,
      f.median === null ? rt('dash') : duration(f.median),
      f.p90 === null ? rt('noneYet') : rt('medianP90', { p90: duration(f.p90) }));
    const c = t.csat;
    return h('section', { class: 'glance', 'aria-labelledby': 'glance-title' },
      h('h2', { id: 'glance-title', class: 'sr-only' }, rt('summary')),
      h('dl', { class: 'kpis' },
        kpi('chats', rt('conversations'), num(t.conversations), rt('answeredOf', { n: num(t.answered) })),
        kpi('missed', rt('missed'), num(t.missed), rt('missedHint')),
        kpi('unanswered', rt('unanswered'), num(t.unanswered), rt('unansweredHint')),
        timing('first-response', rt('firstResponse'), t.first_response),
        timing('resolution', rt('resolution'), t.resolution),
        kpi('csat', rt('csat'), c.average === null ? rt('dash') : rt('csatValue', { avg: num(c.average, 1) }),
          c.percent === null ? rt('csatNone') : rt('csatHint', { percent: num(c.percent), n: num(c.ratings) }))));
  }

  private byDay(r: Report): HTMLElement {
    const days = r.by_day;
    const total = days.reduce((n, d) => n + d.conversations, 0);
    const missed = days.reduce((n, d) => n + d.missed, 0);
    const busiest = days.reduce((a, b) => (b.conversations > a.conversations ? b : a), days[0]);
    const summary = total === 0 ? rt('noChats') : rt('byDaySummary', {
      total: num(total), days: num(days.length), day: day(busiest.date, true), n: num(busiest.conversations), missed: num(missed),
    });
    const chart = barChart('by-day', days.map((d) => day(d.date)), [
      { label: rt('legendChats'), values: days.map((d) => d.conversations), color: CHATS },
      { label: rt('legendMissed'), values: days.map((d) => d.missed), color: MISSED },
    ]);
    this.charts.push(chart.draw);
    return this.chartSection('by-day', rt('byDay'), summary, chart.el,
      [{ label: rt('legendChats'), key: 'chats' }, { label: rt('legendMissed'), key: 'missed' }],
      [rt('day'), rt('chats'), rt('missedCol')],
      days.map((d) => [day(d.date, true), num(d.conversations), num(d.missed)]));
  }

  private byHour(r: Report): HTMLElement {
    const hours = r.by_hour;
    const busiest = hours.reduce((a, b) => (b.conversations > a.conversations ? b : a), hours[0]);
    const summary = busiest.conversations === 0 ? rt('noChats')
      : rt('byHourSummary', { hour: hour(busiest.hour), n: num(busiest.conversations) });
    const chart = barChart('by-hour', hours.map((x) => hour(x.hour)), [
      { label: rt('legendChats'), values: hours.map((x) => x.conversations), color: CHATS },
    ]);
    this.charts.push(chart.draw);
    return this.chartSection('by-hour', rt('byHour'), summary, chart.el, [],
      [rt('hour'), rt('chats')], hours.map((x) => [hour(x.hour), num(x.conversations)]));
  }

  private chartSection(id: string, title: string, summary: string, chart: HTMLElement,
    legend: Array<{ label: string; key: string }>, head: string[], rows: string[][]): HTMLElement {
    return h('section', { class: 'report-chart', id, 'aria-labelledby': `${id}-title` },
      h('h2', { id: `${id}-title` }, title),
      h('p', { class: 'chart-summary' }, summary),
      legend.length ? h('p', { class: 'legend', 'aria-hidden': 'true' },
        ...legend.map((l) => h('span', null, h('span', { class: `swatch ${l.key}` }), l.label))) : null,
      chart,
      h('details', null, h('summary', null, rt('showTable')),
        h('table', { class: 'figures' },
          h('caption', { class: 'sr-only' }, title),
          h('thead', null, h('tr', null, ...head.map((x) => h('th', { scope: 'col' }, x)))),
          h('tbody', null, ...rows.map(([first, ...rest]) =>
            h('tr', null, h('th', { scope: 'row' }, first), ...rest.map((x) => h('td', null, x))))))));
  }

  private perAgent(r: Report): HTMLElement {
    return this.breakdown('per-agent', rt('perAgent'), rt('agent'), rt('notAssigned'), rt('noAgents'), r.agents);
  }

  /** A breakdown's table: a row per agent (per tag, once the server sends them). */
  private breakdown(id: string, title: string, who: string, nobody: string, empty: string, groups: Breakdown): HTMLElement {
    const head = [who, rt('chats'), rt('answered'), rt('missedCol'), rt('frtMedian'), rt('frtP90'),
      rt('resMedian'), rt('resP90'), rt('rating')];
    const rows = groups.map((a) => h('tr', { 'data-id': a.id === null ? 'none' : String(a.id) },
      h('th', { scope: 'row' }, a.id === null ? h('span', { class: 'muted' }, nobody) : iso(a.name)),
      ...[num(a.conversations), num(a.answered), num(a.missed),
        duration(a.first_response.median), duration(a.first_response.p90),
        duration(a.resolution.median), duration(a.resolution.p90),
        a.csat.average === null ? rt('dash') : rt('ratingCell', { avg: num(a.csat.average, 1), n: num(a.csat.ratings) }),
      ].map((x) => h('td', null, x))));
    return h('section', { class: `breakdown ${id}`, 'aria-labelledby': `${id}-title` },
      h('h2', { id: `${id}-title` }, title),
      rows.length === 0 ? h('p', { class: 'muted' }, empty)
        : h('table', { class: 'figures breakdown-table' },
          h('caption', { class: 'sr-only' }, title),
          h('thead', null, h('tr', null, ...head.map((x) => h('th', { scope: 'col' }, x)))),
          h('tbody', null, ...rows)));
  }
}
