/**
 * The Reports page's state: the range asked for, and what the server said (the
 * figures, or why not). Like the console's store (store.ts), intents change it
 * and call `changed()`; the view subscribes and renders from it. A page of its
 * own (reports.js), so a store of its own: it shares nothing with the inbox.
 */

/** One group's figures (the range's total, an agent, later a tag): backend console/reports. */
export interface Figures {
  conversations: number;
  answered: number;
  missed: number;
  unanswered: number;
  first_response: { count: number; median: number | null; p90: number | null };
  resolution: { count: number; median: number | null; p90: number | null };
  csat: { ratings: number; satisfied: number; average: number | null; percent: number | null };
}

export interface Report {
  site: { key: string; name: string; time_zone: string };
  range: { from: string; to: string };
  totals: Figures;
  by_day: Array<{ date: string; conversations: number; missed: number }>;
  by_hour: Array<{ hour: number; conversations: number }>;
  agents: Breakdown;
  /** Per tag: one more breakdown, sent once the server has tags (console/reports/figures.py). */
  tags?: Breakdown;
}

/** The figures per agent or per tag; `id` null: the chats with none. */
export type Breakdown = Array<Figures & { id: number | null; name: string }>;

export type ReportStatus = 'loading' | 'ready' | 'failed';

export class ReportsStore {
  status: ReportStatus = 'loading';
  report: Report | null = null;
  /** Why the figures are not there (status `failed`), worded for the reader. */
  error = '';
  private listeners: Array<() => void> = [];

  on(fn: () => void): void {
    this.listeners.push(fn);
  }

  changed(): void {
    for (const fn of [...this.listeners]) fn();
  }
}
