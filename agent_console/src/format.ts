/** Text the console shows that depends on data: system events, times, titles. */
import { lang, t } from './i18n';
import type { Message } from './protocol';

export function systemText(m: Pick<Message, 'event' | 'data'>): string {
  const d = m.data || {};
  switch (m.event) {
    case 'assigned': return t('evAssigned', { agent: d.agent || '?' });
    case 'transferred': return t('evTransferred', { from: d.from || '—', to: d.to || '?' });
    case 'resolved': return t('evResolved', { by: d.by || '?' });
    case 'reopened': return t('evReopened', { agent: d.agent || '?' });
    case 'requeued': // `by`: someone sent it back; without it, the agent was gone
      return d.by ? t('evRequeuedBy', { by: d.by }) : t('evRequeued', { agent: d.agent || '?' });
    default: return t('evOther', { event: m.event || '?' });
  }
}

function locale(): string {
  return lang === 'pt-br' ? 'pt-BR' : 'en';
}

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
