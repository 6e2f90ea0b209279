/**
 * The inbox's view: filters (site, status, assignee, tag, days) and search
 * words, kept in the page's query string (`?status=open&assignee=me&tag=12&q=…`)
 * so a view can be shared, reloaded and walked with back/forward. The fields
 * are the `filter`/`search` requests' own (docs/protocol.md, "Inbox views"), so
 * the URL goes to the server as it is; what the URL cannot mean is dropped here,
 * never sent. No DOM: unit-tested.
 */
import type { Conversation, Frame } from './protocol';

export type Status = 'waiting' | 'open' | 'resolved';
export type Assignee = 'me' | 'unassigned' | number;

export interface Query {
  site?: string;
  status?: Status;
  assignee?: Assignee;
  tag?: number;
  from?: string;
  to?: string;
  q?: string;
}

const STATUSES: Status[] = ['waiting', 'open', 'resolved'];
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const ID = /^[1-9]\d{0,15}$/;
export const MAX_Q = 200;

/** The query string's view; anything malformed is left out (the boxes show instead). */
export function parseQuery(search: string): Query {
  const p = new URLSearchParams(search);
  const v: Query = {};
  const site = p.get('site');
  if (site && site.length <= 64) v.site = site;
  const status = p.get('status') as Status | null;
  if (status && STATUSES.includes(status)) v.status = status;
  const who = p.get('assignee');
  if (who === 'me' || who === 'unassigned') v.assignee = who;
  else if (who && ID.test(who)) v.assignee = Number(who);
  const tag = p.get('tag');
  if (tag && ID.test(tag)) v.tag = Number(tag);
  for (const k of ['from', 'to'] as const) {
    const day = p.get(k);
    if (day && DAY.test(day)) v[k] = day;
  }
  if (v.from && v.to && v.from > v.to) [v.from, v.to] = [v.to, v.from];
  const q = (p.get('q') || '').trim();
  if (q) v.q = q.slice(0, MAX_Q);
  return v;
}

/** The view as a query string ('' for the boxes), in a fixed order so equal views are equal URLs. */
export function queryString(v: Query): string {
  const p = new URLSearchParams();
  if (v.site) p.set('site', v.site);
  if (v.status) p.set('status', v.status);
  if (v.assignee !== undefined) p.set('assignee', String(v.assignee));
  if (v.tag !== undefined) p.set('tag', String(v.tag));
  if (v.from) p.set('from', v.from);
  if (v.to) p.set('to', v.to);
  if (v.q) p.set('q', v.q);
  const s = p.toString();
  return s ? '?' + s : '';
}

/** How many filters narrow the view (search words aside). */
export function filterCount(v: Query): number {
  return [v.site, v.status, v.assignee, v.tag, v.from, v.to].filter((x) => x !== undefined && x !== '').length;
}

/** A view is shown instead of the boxes when anything narrows it. */
export function isActive(v: Query): boolean {
  return filterCount(v) > 0 || !!v.q;
}

/** The `filter` (no words) or `search` request for the view, in the browser's time zone. */
export function requestFor(v: Query, tz: string, cursor: string | null): Frame {
  const f: Frame = { type: v.q ? 'search' : 'filter' };
  if (v.q) f.q = v.q;
  if (v.site) f.site = v.site;
  if (v.status) f.status = v.status;
  if (v.assignee !== undefined) f.assignee = v.assignee;
  if (v.tag !== undefined) f.tag = v.tag;
  if (v.from) f.from = v.from;
  if (v.to) f.to = v.to;
  if (v.from || v.to) f.tz = tz;
  if (cursor) f.cursor = cursor;
  return f;
}

/** `YYYY-MM-DD` of an instant in the browser's zone (the zone the view's days are in). */
export function localDay(at: string): string {
  const d = new Date(at);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/**
 * Whether a conversation belongs in the filtered view, as the server decides it:
 * a live event can then add a chat to the list or take it out without asking.
 */
export function matches(v: Query, c: Conversation, me: number): boolean {
  if (v.site && c.site !== v.site) return false;
  if (v.status && c.status !== v.status) return false;
  if (v.assignee === 'me' && c.assignee?.id !== me) return false;
  if (v.assignee === 'unassigned' && c.assignee) return false;
  if (typeof v.assignee === 'number' && c.assignee?.id !== v.assignee) return false;
  if (v.tag !== undefined && !(c.tags || []).includes(v.tag)) return false;
  if (v.from || v.to) {
    const day = localDay(c.created_at);
    if (v.from && day < v.from) return false;
    if (v.to && day > v.to) return false;
  }
  return true;
}
