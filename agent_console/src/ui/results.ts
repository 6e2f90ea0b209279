/**
 * The inbox's view, in place of the boxes' list: the chats the filters let
 * through (kept live), or what a search found: visitors whose name or e-mail
 * matched and messages, each with its snippet (the server's parts as text, the
 * matched words in `<mark>`; never markup). Choosing a message opens its chat
 * at that message; a note's hit says it is a note. No match says what to try.
 */
import { h, iso, replace, userText } from '../dom';
import { clock } from '../format';
import { t } from '../i18n';
import type { Ctx } from '../intents/context';
import { select } from '../intents/chat';
import { jumpTo, loadView, setQuery, viewRows } from '../intents/view';
import { visitorName } from '../names';
import type { Conversation, MessageHit, SnippetPart, VisitorHit } from '../protocol';
import { filterCount } from '../view';
import { convRow } from './rows';

export class ResultsView {
  readonly el = h('div', { class: 'results', hidden: true });
  private more: HTMLButtonElement;
  /** The message hit last chosen ("conversation:seq"), marked while its chat is open. */
  private chosen = '';

  constructor(private ctx: Ctx, private focusSearch: () => void) {
    this.more = h('button', { type: 'button', class: 'more', onclick: () => void loadView(ctx, true) }, t('loadMore'));
  }

  render(): void {
    const { store } = this.ctx;
    const r = store.results;
    const v = store.query;
    const parts: Array<HTMLElement | null> = [];
    if (!r.loaded) parts.push(h('p', { class: 'muted searching', role: 'status' }, t('searching')));
    else if (v.q) parts.push(...this.found());
    else {
      const rows = viewRows(store);
      parts.push(rows.length ? h('ul', { class: 'conv-list', 'aria-label': t('filteredChats') }, ...rows.map((c) => convRow(this.ctx, c, true)))
        : this.empty(t('emptyFilterTitle'), t('emptyFilter'), 'filter'));
    }
    if (r.loaded && r.cursor) parts.push(this.more);
    replace(this.el, ...parts);
  }

  private found(): Array<HTMLElement | null> {
    const { store } = this.ctx;
    const { hits, visitors } = store.results;
    const q = store.query.q || '';
    if (!hits.length && !visitors.length) {
      return [this.empty(t('emptySearchTitle', { q }), filterCount(store.query) ? t('emptySearchFiltered') : t('emptySearch'), 'search')];
    }
    const conv = (id: number) => store.inbox.get(id);
    return [
      visitors.length ? h('h3', { class: 'hits-title', id: 'hits-visitors' }, t('searchVisitors')) : null,
      visitors.length ? h('ul', { class: 'hits', 'aria-labelledby': 'hits-visitors' }, ...visitors.map((x) => this.visitorHit(x, conv(x.conversation)))) : null,
      hits.length ? h('h3', { class: 'hits-title', id: 'hits-messages' }, t('searchMessages')) : null,
      hits.length ? h('ul', { class: 'hits', 'aria-labelledby': 'hits-messages' }, ...hits.map((x) => this.messageHit(x, conv(x.conversation)))) : null,
    ];
  }

  private visitorHit(x: VisitorHit, c: Conversation | undefined): HTMLElement {
    const on = x.conversation === this.ctx.store.selected;
    return h('li', { class: 'hit visitor-hit' + (on ? ' on' : ''), 'data-conversation': x.conversation },
      h('button', { type: 'button', class: 'hit-open', 'aria-current': on ? 'true' : null, onclick: () => void select(this.ctx, x.conversation) },
        h('span', { class: 'row1' },
          h('span', { class: 'name' }, iso(c ? visitorName(c.visitor) : '')),
          h('span', { class: 'when' }, c ? clock(c.updated_at) : '')),
        h('span', { class: 'row2' }, h('span', { class: 'field-name' }, (x.field === 'email' ? t('searchHitEmail') : t('searchHitName')) + ':'), snippet(x.snippet))));
  }

  private messageHit(x: MessageHit, c: Conversation | undefined): HTMLElement {
    const { store } = this.ctx;
    const key = x.conversation + ':' + x.seq;
    const on = x.conversation === store.selected && this.chosen === key;
    return h('li', { class: 'hit message-hit' + (x.internal ? ' note' : '') + (on ? ' on' : ''), 'data-conversation': x.conversation, 'data-seq': x.seq },
      h('button', { type: 'button', class: 'hit-open', 'aria-current': on ? 'true' : null, onclick: () => {
        this.chosen = key;
        void jumpTo(this.ctx, x.conversation, x.seq);
      } },
        h('span', { class: 'row1' },
          h('span', { class: 'name' }, iso(c ? visitorName(c.visitor) : '')),
          h('span', { class: 'when' }, clock(x.created_at))),
        h('span', { class: 'row2' },
          x.internal ? h('span', { class: 'badge note-badge' }, t('noteBadge')) : null,
          snippet(x.snippet))));
  }

  private empty(title: string, text: string, kind: 'search' | 'filter'): HTMLElement {
    const v = this.ctx.store.query;
    return h('div', { class: 'empty-state' },
      h('p', { class: 'empty-title', 'data-empty': kind }, title),
      h('p', null, text),
      v.q ? h('button', { type: 'button', class: 'clear-search', onclick: () => {
        const rest = { ...v };
        delete rest.q;
        setQuery(this.ctx, rest, 'push');
        this.focusSearch();
      } }, t('clearSearch')) : null,
      filterCount(v) ? h('button', { type: 'button', class: 'clear-filters', onclick: () => setQuery(this.ctx, v.q ? { q: v.q } : {}, 'push') }, t('clearFilters')) : null);
  }
}

/** A hit's text: each part a text node, the matched ones in `<mark>`. */
export function snippet(parts: SnippetPart[]): HTMLElement {
  const el = userText('span', 'hit-text', '');
  el.replaceChildren(...parts.map((p) => (p.match ? h('mark', null, p.text) : document.createTextNode(p.text))));
  return el;
}
