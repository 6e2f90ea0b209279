/**
 * The inbox: the boxes as tabs (Waiting / Mine / All open / Resolved, with
 * counts and an unread dot), the search and filters (viewbar.ts), and the list:
 * the box's conversations, or, while the URL holds a view, what it found
 * (results.ts). Choosing a tab leaves the view for that box.
 */
import { h, replace } from '../dom';
import { t, type MessageKey } from '../i18n';
import type { Ctx } from '../intents/context';
import { loadMoreResolved } from '../intents/chat';
import { showBox } from '../intents/view';
import type { Box } from '../protocol';
import { isActive } from '../view';
import { emptyState } from './empty';
import { ResultsView } from './results';
import { convRow } from './rows';
import { ViewBar } from './viewbar';

const BOXES: Array<[Box, MessageKey]> = [['queue', 'waiting'], ['mine', 'mine'], ['open', 'allOpen'], ['resolved', 'resolved']];

export class InboxView {
  readonly el: HTMLElement;
  readonly bar: ViewBar;
  private tabs = h('div', { class: 'tabs', role: 'tablist' });
  private list = h('ul', { class: 'conv-list', 'aria-label': t('waiting') });
  private results: ResultsView;
  private more: HTMLButtonElement;
  /** What to do next, where the list is empty. */
  private empty = h('div', { class: 'empty-state' });

  constructor(private ctx: Ctx) {
    this.bar = new ViewBar(ctx);
    this.results = new ResultsView(ctx, () => this.bar.search.focus());
    this.more = h('button', { type: 'button', class: 'more', hidden: true, onclick: () => loadMoreResolved(ctx) }, t('loadMore'));
    this.el = h('section', { class: 'inbox' }, this.tabs, this.bar.el, this.list, this.empty, this.more, this.results.el);
    ctx.store.on(['tabs', 'list', 'view', 'tags'], (changed) => {
      if (changed.has('tabs') || changed.has('view')) this.renderTabs();
      this.renderList();
    });
  }

  private renderTabs(): void {
    const { store } = this.ctx;
    const counts = store.inbox.counts();
    const n: Record<Box, number | null> = { queue: counts.queue, mine: counts.mine, open: counts.open, resolved: null };
    const viewing = isActive(store.query);
    replace(this.tabs, ...BOXES.map(([box, label]) => {
      const unread = box !== 'resolved' && store.inbox.list(box).some((c) => store.inbox.isUnread(c));
      const on = !viewing && store.box === box;
      return h('button', {
        type: 'button', role: 'tab', class: 'tab' + (on ? ' on' : '') + (unread ? ' unread' : ''),
        'aria-selected': on ? 'true' : 'false', 'data-box': box,
        onclick: () => showBox(this.ctx, box),
      }, t(label), n[box] !== null ? h('span', { class: 'count' }, n[box]) : null, unread ? h('span', { class: 'dot', 'aria-hidden': 'true' }) : null);
    }));
    this.list.setAttribute('aria-label', t(BOXES.find(([box]) => box === store.box)![1]));
  }

  private renderList(): void {
    const { store } = this.ctx;
    const viewing = isActive(store.query);
    this.results.el.hidden = !viewing;
    if (viewing) {
      this.list.hidden = true;
      this.more.hidden = true;
      replace(this.empty);
      this.results.render();
      return;
    }
    replace(this.results.el);
    const rows = store.inbox.list(store.box);
    this.more.hidden = !(store.box === 'resolved' && store.resolvedHasMore);
    this.list.hidden = !rows.length;
    replace(this.empty, ...(!rows.length && store.loaded ? emptyState(this.ctx) : []));
    replace(this.list, ...rows.map((c) => convRow(this.ctx, c, store.box === 'open')));
  }
}
