/**
 * What an empty inbox box says: not "nothing here" but what happens next and
 * what to do. No chat ever yet: where chats come from (and, for a site's
 * admins, where the snippet is); an empty box: how chats get into it. (A
 * search or filters with no match: results.ts.)
 */
import { h } from '../dom';
import { t, type MessageKey } from '../i18n';
import type { Ctx } from '../intents/context';
import type { Box } from '../protocol';

const BOX_TEXT: Record<Box, [MessageKey, MessageKey]> = {
  queue: ['emptyQueueTitle', 'emptyQueue'],
  mine: ['emptyMineTitle', 'emptyMine'],
  open: ['emptyOpenTitle', 'emptyOpen'],
  resolved: ['emptyResolvedTitle', 'emptyResolved'],
};

/** The site settings page (server-rendered) shows the snippet with a copy button. */
export function settingsUrl(site: string): string {
  return `/console/sites/${encodeURIComponent(site)}/settings/`;
}

export function emptyState(ctx: Ctx): HTMLElement[] {
  const { store } = ctx;
  if (!store.hasChats) {
    const admin = store.welcome?.sites.find((s) => s.role === 'admin');
    const out: HTMLElement[] = [h('p', { class: 'empty-title', 'data-empty': 'first' }, t('emptyNoChatsTitle')), h('p', null, t('emptyNoChats'))];
    if (admin) out.push(h('p', null, t('emptyInstall')), h('a', { class: 'button primary', href: settingsUrl(admin.key) }, t('emptyInstallLink')));
    return out;
  }
  const [title, text] = BOX_TEXT[store.box];
  return [h('p', { class: 'empty-title', 'data-empty': store.box }, t(title)), h('p', null, t(text))];
}
