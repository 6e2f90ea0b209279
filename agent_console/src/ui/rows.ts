/**
 * One conversation as a row of a list (a box, or a filtered view): the visitor,
 * when it last moved, who said the last line and what, its tags, how it ended.
 * A row is a list item holding one button (the whole row), so the list stays a list.
 */
import { h, iso, sentence, userText } from '../dom';
import { clock } from '../format';
import { t, tParts } from '../i18n';
import type { Ctx } from '../intents/context';
import { select } from '../intents/chat';
import { visitorName } from '../names';
import { preview } from '../preview';
import type { Conversation } from '../protocol';
import { endedChip, ratingBadge } from '../rating';
import { tagsOf } from '../tags';
import { rowChips } from './chips';

export function convRow(ctx: Ctx, c: Conversation, showAssignee: boolean): HTMLElement {
  const { store } = ctx;
  const unread = store.inbox.isUnread(c);
  const on = c.id === store.selected;
  const last = preview(c, store.me);
  return h('li', { class: 'conv' + (on ? ' on' : '') + (unread ? ' unread' : ''), 'data-id': c.id },
    h('button', { type: 'button', class: 'conv-open', 'aria-current': on ? 'true' : null, onclick: () => void select(ctx, c.id) },
      h('span', { class: 'row1' },
        h('span', { class: 'name' }, iso(visitorName(c.visitor))),
        c.visitor.verified ? h('span', { class: 'badge verified', title: t('verified') }, '✓') : null,
        h('span', { class: 'when' }, clock(c.last_message?.created_at || c.updated_at))),
      h('span', { class: 'row2' },
        last?.body ? h('span', { class: 'by' }, last.note ? t('noteBadge') + ' · ' : '',
          ...(last.mine ? [t('said', { who: last.who })] : sentence(tParts('said', { who: last.who })))) : null,
        last ? h('span', { class: 'preview' }, last.body ? userText('span', '', last.text) : last.text) : h('span', { class: 'preview' }),
        endedChip(c), ratingBadge(c),
        showAssignee && c.assignee ? h('span', { class: 'who' }, iso(c.assignee.name)) : null),
      rowChips(tagsOf(c.tags, store.tags))));
}
