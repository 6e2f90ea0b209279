/** Text the console shows that depends on data: system events, times, titles. */
import { intlLocale, tParts, type Part } from './i18n';
import type { Message } from './protocol';

/** A system event's sentence, its names kept apart for isolating (dom.ts `sentence`). */
export function systemParts(m: { event: string; data: Message['data'] }): Part[] {
  const d = m.data || {};
  switch (m.event) {
    case 'assigned': return tParts('evAssigned', { agent: d.agent || '?' });
    case 'transferred': return tParts('evTransferred', { from: d.from || '—', to: d.to || '?' });
    case 'resolved': return tParts('evResolved', { by: d.by || '?' });
    case 'reopened': return tParts('evReopened', { agent: d.agent || '?' });
    case 'requeued': // `by`: someone sent it back; without it, the agent was gone
      return d.by ? tParts('evRequeuedBy', { by: d.by }) : tParts('evRequeued', { agent: d.agent || '?' });
    case 'ended': return tParts('evEnded', { by: d.by || '?' }); // by the visitor, named
    case 'rated': return tParts('evRated', { score: d.score || '?' });
    case 'abandoned': return tParts('evAbandoned', { minutes: d.minutes || '?' });
    default: return tParts('evOther', { event: m.event || '?' });
  }
}

export function systemText(m: { event: string; data: Message['data'] }): string {
  return systemParts(m).map((p) => (typeof p === 'string' ? p : p.value)).join('');
}

/**
 * Invisible bidi controls: embeddings and overrides (U+202A–202E), isolates
 * (U+2066–2069) and marks (LRM, RLM, ALM). In a short identity string (a name,
 * an e-mail, a page title) they only ever make one text pose as another
 * ("\u202Eexe.live" shows as "evil.exe"), so those lose them on display; the
 * server drops them when it stores them too (docs/security.md, promise 6).
 * Message bodies keep theirs, isolated.
 */
const CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function clean(s: string | null | undefined): string {
  return (s || '').replace(CONTROLS, '');
}

/**
 * `clean(s)` between FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE: the
 * plain-text `<bdi>`, for places that hold only text (an `<option>`, a desktop
 * notification).
 */
export function isolated(s: string | null | undefined): string {
  return '\u2068' + clean(s) + '\u2069';
}

const locale = intlLocale;

export function clock(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (isNaN(d.getTime())) return '';
  return d.toLocaleTimeString(locale(), { hour: '2-digit', minute: '2-digit' });
}

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (isNaN(d.getTime())) return '';
  return d.toLocaleString(locale(), { dateStyle: 'medium', timeStyle: 'short' });
}

/** The visitor's wall clock, when their time zone is known. */
export function localTimeIn(timeZone: string | undefined, now = new Date()): string {
  if (!timeZone) return '';
  try {
    return now.toLocaleTimeString(locale(), { hour: '2-digit', minute: '2-digit', timeZone, timeZoneName: 'short' });
  } catch {
    return '';
  }
}

/** `(3) Papo`: the browser tab shows how much waits for the agent. */
export function titleWithCount(base: string, n: number): string {
  return n > 0 ? `(${n > 99 ? '99+' : n}) ${base}` : base;
}

/** Only http(s) links are ever made clickable (never javascript: and friends). */
export function safeHttpUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}
