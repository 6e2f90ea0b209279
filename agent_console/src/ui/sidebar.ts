/**
 * The visitor sidebar: who they are (verified or not), where they are on the
 * site and were this visit, their browser, system, local time and language,
 * the chat's rating, and their other conversations.
 */
import { h, iso, replace, userText } from '../dom';
import { dateTime, localTimeIn, safeHttpUrl } from '../format';
import { t, type MessageKey } from '../i18n';
import type { Ctx } from '../intents/context';
import { select } from '../intents/chat';
import { visitorName } from '../names';
import { endedChip, ratingBadge, ratingDetail } from '../rating';
import { parseUserAgent } from '../ua';

export class SidebarView {
  readonly el = h('aside', { class: 'sidebar', 'aria-label': t('visitor') });

  constructor(private ctx: Ctx) {
    ctx.store.on(['sidebar'], () => this.render());
  }

  private render(): void {
    const { store } = this.ctx;
    const c = store.current;
    if (!c) {
      replace(this.el);
      return;
    }
    const v = c.visitor;
    const ua = parseUserAgent(v.user_agent);
    const url = safeHttpUrl(v.page_url);
    const row = (label: MessageKey, ...value: Array<Node | string | null>) =>
      h('div', { class: 'row', 'data-field': label }, h('dt', null, t(label)), h('dd', null, ...value));
    const pages = (store.pages.get(v.id) || []).slice().reverse();
    const past = store.past.get(c.id);
    replace(this.el,
      h('h3', null, iso(visitorName(v)), ' ',
        v.verified ? h('span', { class: 'badge verified', title: t('verified') }, '✓ ' + t('verified')) : h('span', { class: 'badge unverified' }, t('unverified'))),
      h('dl', null,
        row('email', v.email ? iso(v.email) : '—'),
        row('page', url ? h('a', { href: url, target: '_blank', rel: 'noopener noreferrer nofollow' }, iso(v.page_title || url)) : v.page_title ? iso(v.page_title) : '—',
          url && v.page_title ? h('small', { class: 'url', dir: 'ltr' }, url) : null),
        row('pagesSeen', pages.length ? h('ol', { class: 'pages' }, ...pages.map((p) => h('li', null, iso(p.title || p.url)))) : '—'),
        row('browser', ua.browser || t('unknown')),
        row('os', ua.os || t('unknown')),
        row('localTime', localTimeIn(v.timezone) || t('unknown')),
        row('language', v.locale ? iso(v.locale) : '—'),
        row('firstSeen', dateTime(v.first_seen_at)),
        c.status === 'resolved' ? row('rating', ...ratingDetail(c)) : null),
      h('h4', null, t('pastConversations')),
      past === undefined ? h('p', { class: 'muted' }, '…')
        : past.length ? h('ul', { class: 'past' }, ...past.map((p) => h('li', null,
          h('button', { type: 'button', class: 'link', onclick: () => void select(this.ctx, p.id) },
            '#' + p.id + ' · ', dateTime(p.created_at), ' · ', t(p.status === 'resolved' ? 'statusResolved' : p.status === 'open' ? 'statusOpen' : 'statusWaiting')),
          ' ', endedChip(p), ratingBadge(p),
          p.last_message?.body ? userText('div', 'muted', p.last_message.body.slice(0, 80)) : null)))
          : h('p', { class: 'muted' }, t('none')));
  }
}
