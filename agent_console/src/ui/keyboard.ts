/**
 * The console's keyboard: boxes 1–4, j/k through the list shown (a box, or
 * the filtered or searched view), c/e/o/t on the selected chat, r and n into
 * the composer, l to tag the chat, / to search, f for the filters, ? for the
 * list of shortcuts (dialogs.ts SHORTCUTS: add a key there too). Keys typed
 * into a field stay in the field (the composer has its own).
 */
import type { Ctx } from '../intents/context';
import { act } from '../intents/chat';
import { showBox, step } from '../intents/view';
import type { ComposerView } from './composer';
import type { Dialogs } from './dialogs';
import type { HeaderView } from './header';
import type { InboxView } from './inbox';

export interface KeyTargets { composer: ComposerView; header: HeaderView; inbox: InboxView; dialogs: Dialogs }

export function bindKeys(ctx: Ctx, v: KeyTargets): void {
  document.addEventListener('keydown', (e) => onKey(ctx, v, e));
}

function onKey(ctx: Ctx, v: KeyTargets, e: KeyboardEvent): void {
  const target = e.target as HTMLElement;
  if (target === v.composer.input) return; // ComposerView.onKey
  const typing = target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT' || target.isContentEditable);
  if (e.key === 'Escape' && typing) {
    target.blur();
    return;
  }
  if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
  const c = ctx.store.current;
  const keys: Record<string, () => void> = {
    '1': () => showBox(ctx, 'queue'), '2': () => showBox(ctx, 'mine'), '3': () => showBox(ctx, 'open'), '4': () => showBox(ctx, 'resolved'),
    j: () => step(ctx, 1), k: () => step(ctx, -1),
    c: () => c?.status === 'waiting' && void act(ctx, 'claim'),
    e: () => c && c.status !== 'resolved' && void act(ctx, 'resolve'),
    o: () => c?.status === 'resolved' && void act(ctx, 'reopen'),
    t: () => v.header.focusTransfer(),
    r: () => v.composer.input.focus(),
    n: () => v.composer.toggleNote(),
    l: () => v.header.tags.open(),
    '/': () => {
      v.inbox.bar.search.focus();
      v.inbox.bar.search.select();
    },
    f: () => v.inbox.bar.focusFilters(),
    '?': () => v.dialogs.openHelp(),
  };
  const fn = keys[e.key];
  if (fn) {
    e.preventDefault();
    fn();
  }
}
