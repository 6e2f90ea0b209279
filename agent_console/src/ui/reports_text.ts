/**
 * The Reports page's words (English, Brazilian Portuguese and Spanish), in a catalogue of
 * its own: the reports are a bundle of their own (reports.js), and the inbox's
 * bundle carries neither their chart library nor their words. The language is
 * the one i18n.ts picked from the page (`setLanguage`).
 */
import { intlLocale, lang, type Language } from '../i18n';

const en = {
  loading: 'Counting…',
  failed: 'The figures could not be loaded: {reason}',
  sessionEnded: 'Your session has ended: log in again.',
  badRange: 'Those days cannot be shown: pick a start no later than the end, at most a year apart.',
  forbidden: 'Only the site’s owners and admins can see its reports.',
  summary: 'The range at a glance',
  conversations: 'Chats', answeredOf: '{n} answered',
  missed: 'Missed', missedHint: 'the visitor left before any reply',
  unanswered: 'Waiting for a first reply', unansweredHint: 'still open, no reply yet',
  firstResponse: 'First response', resolution: 'Resolution',
  medianP90: 'median · 90% within {p90}', noneYet: 'none yet',
  csat: 'Satisfaction', csatValue: '{avg} of 5', csatHint: '{percent}% satisfied · {n} ratings',
  csatNone: 'no ratings yet',
  byDay: 'Chats by day', byHour: 'Chats by hour of the day',
  byDaySummary: '{total} chats over {days} days; the busiest day was {day}, with {n}. {missed} missed.',
  byHourSummary: 'The busiest hour was {hour}, with {n} chats.',
  noChats: 'No chats started on these days.',
  showTable: 'The figures as a table',
  day: 'Day', hour: 'Hour', missedCol: 'Missed',
  legendChats: 'Chats', legendMissed: 'Missed',
  perAgent: 'Per agent',
  agent: 'Agent', chats: 'Chats', answered: 'Answered',
  frtMedian: 'First response (median)', frtP90: 'First response (90%)',
  resMedian: 'Resolution (median)', resP90: 'Resolution (90%)',
  rating: 'Rating', notAssigned: 'Not assigned', noAgents: 'No chat was assigned on these days.',
  perTag: 'Per tag', tag: 'Tag', noTag: 'No tag', noTags: 'No chat was tagged on these days.',
  ratingCell: '{avg} ({n})', dash: '—',
  seconds: '{n} s', minutes: '{n} min', hours: '{n} h', days: '{n} d',
};

type Key = keyof typeof en;

const ptBR: Record<Key, string> = {
  loading: 'Contando…',
  failed: 'Não foi possível carregar os números: {reason}',
  sessionEnded: 'Sua sessão terminou: entre de novo.',
  badRange: 'Não dá para mostrar esses dias: escolha um início que não seja depois do fim, no máximo um ano antes.',
  forbidden: 'Só os donos e administradores do site veem os relatórios dele.',
  summary: 'O período num relance',
  conversations: 'Chats', answeredOf: '{n} respondidos',
  missed: 'Perdidos', missedHint: 'o visitante saiu antes de qualquer resposta',
  unanswered: 'Esperando a primeira resposta', unansweredHint: 'ainda abertos, sem resposta',
  firstResponse: 'Primeira resposta', resolution: 'Resolução',
  medianP90: 'mediana · 90% em até {p90}', noneYet: 'nenhuma ainda',
  csat: 'Satisfação', csatValue: '{avg} de 5', csatHint: '{percent}% satisfeitos · {n} avaliações',
  csatNone: 'nenhuma avaliação ainda',
  byDay: 'Chats por dia', byHour: 'Chats por hora do dia',
  byDaySummary: '{total} chats em {days} dias; o dia mais movimentado foi {day}, com {n}. {missed} perdidos.',
  byHourSummary: 'A hora mais movimentada foi {hour}, com {n} chats.',
  noChats: 'Nenhum chat começou nesses dias.',
  showTable: 'Os números em tabela',
  day: 'Dia', hour: 'Hora', missedCol: 'Perdidos',
  legendChats: 'Chats', legendMissed: 'Perdidos',
  perAgent: 'Por agente',
  agent: 'Agente', chats: 'Chats', answered: 'Respondidos',
  frtMedian: 'Primeira resposta (mediana)', frtP90: 'Primeira resposta (90%)',
  resMedian: 'Resolução (mediana)', resP90: 'Resolução (90%)',
  rating: 'Avaliação', notAssigned: 'Sem agente', noAgents: 'Nenhum chat foi atribuído nesses dias.',
  perTag: 'Por etiqueta', tag: 'Etiqueta', noTag: 'Sem etiqueta', noTags: 'Nenhum chat recebeu etiqueta nesses dias.',
  ratingCell: '{avg} ({n})', dash: '—',
  seconds: '{n} s', minutes: '{n} min', hours: '{n} h', days: '{n} d',
};

const es: Record<Key, string> = {
  loading: 'Contando…',
  failed: 'No se pudieron cargar las cifras: {reason}',
  sessionEnded: 'Tu sesión terminó: vuelve a entrar.',
  badRange: 'No se pueden mostrar esos días: elige un inicio que no sea posterior al final, como mucho un año antes.',
  forbidden: 'Solo los propietarios y administradores del sitio ven sus informes.',
  summary: 'El periodo de un vistazo',
  conversations: 'Chats', answeredOf: '{n} respondidos',
  missed: 'Perdidos', missedHint: 'el visitante se fue antes de recibir respuesta',
  unanswered: 'Esperan la primera respuesta', unansweredHint: 'aún abiertos, sin respuesta',
  firstResponse: 'Primera respuesta', resolution: 'Resolución',
  medianP90: 'mediana · el 90 % en {p90} o menos', noneYet: 'aún ninguna',
  csat: 'Satisfacción', csatValue: '{avg} de 5', csatHint: '{percent} % satisfechos · {n} valoraciones',
  csatNone: 'aún no hay valoraciones',
  byDay: 'Chats por día', byHour: 'Chats por hora del día',
  byDaySummary: '{total} chats en {days} días; el día con más actividad fue {day}, con {n}. {missed} perdidos.',
  byHourSummary: 'La hora con más actividad: las {hour}, con {n} chats.',
  noChats: 'Ningún chat empezó esos días.',
  showTable: 'Las cifras en una tabla',
  day: 'Día', hour: 'Hora', missedCol: 'Perdidos',
  legendChats: 'Chats', legendMissed: 'Perdidos',
  perAgent: 'Por agente',
  agent: 'Agente', chats: 'Chats', answered: 'Respondidos',
  frtMedian: 'Primera respuesta (mediana)', frtP90: 'Primera respuesta (90 %)',
  resMedian: 'Resolución (mediana)', resP90: 'Resolución (90 %)',
  rating: 'Valoración', notAssigned: 'Sin agente', noAgents: 'Ningún chat se asignó esos días.',
  perTag: 'Por etiqueta', tag: 'Etiqueta', noTag: 'Sin etiqueta', noTags: 'Ningún chat recibió etiquetas esos días.',
  ratingCell: '{avg} ({n})', dash: '—',
  seconds: '{n} s', minutes: '{n} min', hours: '{n} h', days: '{n} d',
};

export const REPORT_CATALOGUES: Record<Language, Record<Key, string>> = { en, 'pt-br': ptBR, es };
export type ReportKey = Key;

/** The text for `key` in the page's language, `{name}` placeholders filled as plain text. */
export function rt(key: Key, vars: Record<string, string | number> = {}): string {
  const s = REPORT_CATALOGUES[lang][key] ?? en[key];
  return s.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

/** Numbers, dates and durations as the page's language writes them. */
export const locale = intlLocale;

/** `n` with at most `digits` decimals ("1.3", "4", "1,3" in pt-BR). */
export function num(n: number, digits = 0): string {
  return n.toLocaleString(locale(), { maximumFractionDigits: digits });
}

/** A duration in seconds, in its largest sensible unit: "45 s", "2.5 min", "16 min", "3.2 h", "1.5 d". */
export function duration(seconds: number | null): string {
  if (seconds === null) return rt('dash');
  if (seconds < 60) return rt('seconds', { n: num(Math.round(seconds)) });
  if (seconds < 3600) return rt('minutes', { n: num(seconds / 60, seconds < 600 ? 1 : 0) });
  if (seconds < 86400) return rt('hours', { n: num(seconds / 3600, 1) });
  return rt('days', { n: num(seconds / 86400, 1) });
}

/** "2025-03-01" as the language writes a day ("Mar 1" / "1 de mar."), read as a calendar day. */
export function day(iso: string, long = false): string {
  const d = new Date(iso + 'T00:00:00Z');
  return d.toLocaleDateString(locale(), long
    ? { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' }
    : { timeZone: 'UTC', day: 'numeric', month: 'short' });
}

export function hour(h: number): string {
  return `${String(h).padStart(2, '0')}:00`;
}
