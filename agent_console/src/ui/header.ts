/**
 * The selected conversation's header: the visitor, its status, who has it,
 * and what the agent may do now (claim, transfer, resolve, reopen); for a
 * returning visitor, a way to their previous chat; its tags below (tagbar.ts).
 */
import { h, iso, replace } from '../dom';
import { isolated } from '../format';
import { t, type MessageKey } from '../i18n';
import type { Ctx } from '../intents/context';
import { act, select } from '../intents/chat';
import { visitorName } from '../names';
import { agentRating, endedChip, previousChat, ratingBadge } from '../rating';
import { TagBar } from './tagbar';

const STATUS_KEY: Record<string, MessageKey> = { waiting: 'statusWaiting', open: 'statusOpen', resolved: 'statusResolved' };

export class HeaderView {
  readonly el: HTMLElement;
  readonly tags: TagBar;
  /** What render() redraws; the tag bar keeps itself (its popup survives a redraw). */
  private top = h('div', { class: 'conv-header-top' });

  constructor(private ctx: Ctx, manageTags: (site: string) => void) {
    this.tags = new TagBar(ctx, manageTags);
    this.el = h('div', { class: 'conv-header' }, this.top, this.tags.el);
    ctx.store.on(['header'], () => this.render());
  }

  /** The transfer list, for the `t` shortcut. */
  focusTransfer(): void {
    (this.el.querySelector('select.transfer') as HTMLSelectElement | null)?.focus();
  }

  private render(): void {
    const { ctx } = this;
    const { store } = ctx;
    const c = store.current;
    if (!c) {
      replace(this.top, h('p', { class: 'muted' }, t('pickConversation')));
      return;
    }
    const me = store.me;
    const mineOrAdmin = c.assignee?.id === me || store.isAdminOf(c.site);
    const actions: HTMLElement[] = [];
    if (c.status === 'waiting') actions.push(h('button', { type: 'button', class: 'primary claim', onclick: () => void act(ctx, 'claim') }, t('claim')));
    if (c.status === 'waiting' || (c.status === 'open' && mineOrAdmin)) {
      const targets = [...store.agents.values()].filter((a) => a.id !== me && a.id !== c.assignee?.id && a.status === 'online' && (!a.sites || a.sites.includes(c.site)));
      const transfer = h('select', { class: 'transfer', 'aria-label': t('transferTo') },
        h('option', { value: '' }, targets.length ? t('transferTo') : t('noOneOnline')),
        ...targets.map((a) => h('option', { value: a.id }, `${isolated(a.name)} (${a.open})` + (a.rating?.count ? ` ★ ${agentRating(a)}` : ''))));
      transfer.disabled = !targets.length;
      transfer.addEventListener('change', () => {
        const to = Number(transfer.value);
        if (to) void act(ctx, 'transfer', to);
      });
      actions.push(transfer);
      actions.push(h('button', { type: 'button', class: 'resolve', onclick: () => void act(ctx, 'resolve') }, t('resolve')));
    }
    if (c.status === 'resolved') actions.push(h('button', { type: 'button', class: 'reopen', onclick: () => void act(ctx, 'reopen') }, t('reopen')));
    const before = previousChat(c, store.past.get(c.id));
    replace(this.top,
      h('div', { class: 'title' },
        h('h2', null, iso(visitorName(c.visitor))),
        h('span', { class: 'status ' + c.status, 'data-status': c.status }, t(STATUS_KEY[c.status])),
        endedChip(c), ratingBadge(c),
        h('span', { class: 'muted' }, ...(c.assignee ? [iso(c.assignee.name), c.assignee.id === me ? ` (${t('you')})` : ''] : [t('unassigned')]))),
      h('div', { class: 'actions' }, ...actions),
      before ? h('p', { class: 'returning' }, h('button', { type: 'button', class: 'link', onclick: () => void select(ctx, before.id) },
        t('returning', { id: before.id })), ' ', endedChip(before), ratingBadge(before)) : null);
  }
}
