/**
 * How the console shows the end of a chat and its rating: the visitor's
 * score on a conversation (list rows, header, sidebar, the `rated` line in
 * the thread), "ended by the visitor", an agent's 30-day sum (toolbar and the
 * transfer list), and which earlier chat a returning visitor's new one follows.
 */
import { h, userText } from './dom';
import { intlLocale, t } from './i18n';
import type { Agent, Conversation, Message } from './protocol';

/** "★★★★☆", read out as "4 out of 5". */
export function stars(score: number): HTMLElement {
  const n = Math.max(0, Math.min(5, Math.round(score)));
  return h('span', { class: 'stars', role: 'img', 'aria-label': t('ratingOf', { score }) }, '★'.repeat(n) + '☆'.repeat(5 - n));
}

/** A small badge for list rows and the header: "★ 4", the comment as its tooltip. */
export function ratingBadge(c: Conversation): HTMLElement | null {
  if (!c.rating) return null;
  return h('span', { class: 'badge rating', 'data-score': c.rating.score, title: c.rating.comment || t('ratingOf', { score: c.rating.score }) },
    '★ ' + c.rating.score);
}

export function endedChip(c: Conversation): HTMLElement | null {
  return c.status === 'resolved' && c.ended_by === 'visitor' ? h('span', { class: 'badge ended' }, t('endedByVisitor')) : null;
}

/** The sidebar's rating: stars and the comment (the visitor's words, as text). */
export function ratingDetail(c: Conversation): Array<Node | string> {
  if (!c.rating) return [t('notRated')];
  const out: Array<Node | string> = [stars(c.rating.score), ' ' + t('ratingOf', { score: c.rating.score })];
  if (c.rating.comment) out.push(userText('div', 'comment', c.rating.comment));
  return out;
}

/** The thread's line for a `rated` message: stars, and the comment when the console has it. */
export function ratedLine(m: Message): Array<Node | string> {
  const score = Number(m.data.score) || 0;
  return [stars(score), ' ', t('evRated', { score }), ...(m.data.comment ? [userText('div', 'comment', m.data.comment)] : [])];
}

/** "4.5 (12 in 30 days)", or '' without ratings. */
export function agentRating(a: Agent | undefined): string {
  const r = a && a.rating;
  if (!r || !r.count) return '';
  const avg = r.average.toLocaleString(intlLocale(), { maximumFractionDigits: 1 });
  return t('ratingSum', { avg, n: r.count });
}

/** The visitor's chat just before this one (their `visitor_history`), if any. */
export function previousChat(c: Conversation, past: Conversation[] | undefined): Conversation | undefined {
  return (past || []).filter((p) => p.id < c.id).sort((a, b) => b.id - a.id)[0];
}
