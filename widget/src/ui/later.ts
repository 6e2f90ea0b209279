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
import type { Connection } from '../client/socket';
import { h, on } from './dom';
import { handOver } from './hand';

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
  mailMe: 'E-mail me this conversation',
  mailTo: 'Your e-mail',
  mailSend: 'Send',
  mailed: 'Sent to {to}.',
  mailNo: "We can't e-mail it to you right now.",
  link_used: 'That link was used already. If this is not the device you used it on, write to us here.',
  link_expired: 'That link has expired. Write to us here and we will pick up where we left off.',
  link_invalid: 'That link does not work here. Write to us here instead.',
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
    mailMe: 'Enviar esta conversa por e-mail',
    mailTo: 'Seu e-mail',
    mailSend: 'Enviar',
    mailed: 'Enviada para {to}.',
    mailNo: 'Não conseguimos enviar por e-mail agora.',
    link_used: 'Esse link já foi usado. Se não for o aparelho em que você o usou, escreva para nós aqui.',
    link_expired: 'Esse link expirou. Escreva para nós aqui e continuamos de onde paramos.',
    link_invalid: 'Esse link não funciona aqui. Escreva para nós aqui.',
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
    mailMe: 'Enviarme esta conversación por correo',
    mailTo: 'Tu correo',
    mailSend: 'Enviar',
    mailed: 'Enviada a {to}.',
    mailNo: 'No podemos enviártela por correo ahora.',
    link_used: 'Ese enlace ya se usó. Si no es el dispositivo en el que lo usaste, escríbenos aquí.',
    link_expired: 'Ese enlace caducó. Escríbenos aquí y seguimos donde lo dejamos.',
    link_invalid: 'Ese enlace no funciona aquí. Escríbenos aquí.',
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
  /**
   * "E-mail me this conversation": a button that asks the server (a `transcript`
   * request) to mail it to the address the visitor gave, or first asks for one;
   * then says how it went.
   */
  mailMe(conn: Connection, address: () => string): HTMLElement;
  /** Trades a "continue the chat" link's code (at `url`) for the visitor's token, or why not. */
  redeem(url: string, code: string): Promise<Redeemed>;
}

/** The server's answer to a "continue the chat" link (widget_api: `continue`). */
export interface Redeemed {
  token?: string;
  conversation?: number;
  error?: string;
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
    mailMe(conn, address) {
      let ref = '';
      const button = h('button', { type: 'button', class: 'mo' }, w.mailMe);
      const input = h('input', { type: 'email', autocomplete: 'email', 'aria-label': w.mailTo, placeholder: w.mailTo });
      const form = h('form', { class: 'rw', hidden: true }, input, h('button', { type: 'submit', class: 'sb' }, w.mailSend));
      const said = h('p', { class: 'ct', role: 'status' });
      const send = (email?: string) => (ref = conn.request({ type: 'transcript', ...(email ? { email } : {}) }));
      const answered = (text: string) => {
        said.textContent = text;
        button.hidden = false;
      };
      on(button, 'click', () => {
        if (address()) send();
        else {
          form.hidden = false;
          button.hidden = true;
          input.focus();
        }
      });
      on(form, 'submit', (e: Event) => {
        e.preventDefault();
        if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(input.value.trim())) return input.focus();
        form.hidden = true;
        send(input.value.trim());
      });
      conn.on('transcript', (f: { ref: string; to: string }) => f.ref === ref && answered(t('mailed', { to: f.to })));
      conn.on('error', (e: { ref: unknown }) => e.ref != null && String(e.ref) === ref && answered(w.mailNo));
      return h('div', {}, button, form, said);
    },
    redeem(url, code) {
      return fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ link: code }) }).then(
        (r) => r.json().then((b: Redeemed) => (r.ok ? b : { error: b.error || 'link_invalid' })),
        () => ({ error: 'link_invalid' }),
      );
    },
    notify(title, body, click) {
      try {
        if (Notification.permission == 'granted') new Notification(title, { body }).onclick = click;
      } catch {
        /* no Notification here (or only from a service worker, as on Android) */
      }
    },
  };
}

handOver(later);
