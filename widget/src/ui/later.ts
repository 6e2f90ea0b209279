/**
 * Entry of the "later" chunk (later-<hash>.js): what a visitor reads while
 * nobody can answer yet, fetched the first time it is needed (ui/app.ts
 * `later()`), so the UI chunk stays in its size budget. When the team is back
 * (in the visitor's own time zone and language: the browser's), their place in
 * the queue with a rough wait, the desktop notification when an agent picks
 * up, and what the away copy promises (an e-mail only when the server sends
 * mail and the visitor gave an address). Its words, in every language the
 * widget speaks, live here too.
 */
import type { QueueFrame } from '../client/wire';

const en = {
  replyTo: "We'll e-mail you at {email}.",
  here: "We'll answer here when we're back.",
  back: "We're back {day} at {time}.",
  line: "You're number {n} in line",
  wait: 'Estimated wait: {w}',
  soon: 'under a minute',
  few: 'a few minutes',
  mins: 'about {n} minutes',
  hour: 'an hour or more',
  ask: 'Notify me',
};
type Words = typeof en;
const WORDS: Record<string, Words> = {
  en,
  'pt-BR': {
    replyTo: 'Enviaremos um e-mail para {email}.',
    here: 'Responderemos aqui quando voltarmos.',
    back: 'Voltamos {day} às {time}.',
    line: 'Você é o número {n} da fila',
    wait: 'Espera estimada: {w}',
    soon: 'menos de um minuto',
    few: 'alguns minutos',
    mins: 'cerca de {n} minutos',
    hour: 'uma hora ou mais',
    ask: 'Avise-me',
  },
  es: {
    replyTo: 'Te escribiremos a {email}.',
    here: 'Responderemos aquí cuando volvamos.',
    back: 'Volvemos {day} a las {time}.',
    line: 'Eres el número {n} en la fila',
    wait: 'Espera estimada: {w}',
    soon: 'menos de un minuto',
    few: 'unos minutos',
    mins: 'unos {n} minutos',
    hour: 'una hora o más',
    ask: 'Avísame',
  },
};

export interface Later {
  /** Its words (`replyTo` and `here` are filled by the UI: ui/dom.ts `sentence`). */
  w: Words;
  /** "We're back tomorrow at 9:00 AM" for an opening at `iso`; '' once it has passed. */
  back(iso: string): string;
  /** "You're number 3 in line · Estimated wait: about 10 minutes". */
  place(q: QueueFrame): string;
  /** The "Notify me" button's label. */
  ask: string;
  /** A desktop notification, if the visitor allowed them; a click brings the chat back. */
  notify(title: string, body: string, click: () => void): void;
}

/** The UI sets `papo` on this chunk's <script> element, as the loader does on its own. */
export interface LaterScript extends HTMLScriptElement {
  papo?: (later: (locale: string) => Later) => void;
}

const DAY_MS = 864e5;

export function later(locale: string): Later {
  const w = WORDS[locale] || en;
  const t = (key: keyof Words, vars: Record<string, string | number> = {}) =>
    w[key].replace(/\{(\w+)\}/g, (_, v: string) => String(vars[v]));
  return {
    w,
    back(iso) {
      const at = new Date(iso);
      const now = new Date();
      if (!(at > now)) return '';
      // Calendar days apart on the visitor's clock (rounded: a DST day has 23 or 25 hours).
      const midnight = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
      const days = Math.round((midnight(at) - midnight(now)) / DAY_MS);
      const day =
        days < 2
          ? new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }).format(days, 'day')
          : at.toLocaleDateString(locale, days < 7 ? { weekday: 'long' } : { weekday: 'long', month: 'long', day: 'numeric' });
      return t('back', { day, time: at.toLocaleTimeString(locale, { hour: 'numeric', minute: '2-digit' }) });
    },
    place(q) {
      // The server rounds the wait (minutes): 0, 1 to 5, steps of 5, 60 for an hour or more.
      const m = q.wait;
      const line = t('line', { n: q.position + (q.beyond ? '+' : '') });
      return m == null ? line : line + ' · ' + t('wait', { w: m < 1 ? t('soon') : m <= 5 ? t('few') : m < 60 ? t('mins', { n: m }) : t('hour') });
    },
    ask: t('ask'),
    notify(title, body, click) {
      try {
        if (Notification.permission == 'granted') new Notification(title, { body }).onclick = click;
      } catch {
        /* no Notification here (or only from a service worker, as on Android) */
      }
    },
  };
}

const script = typeof document != 'undefined' ? (document.currentScript as LaterScript | null) : null;
if (script && script.papo) script.papo(later);
