/**
 * What every intent works with: the store it changes and the socket it talks
 * through. Intents are plain functions of this context; views call them and
 * never touch the socket themselves.
 */
import type { ConsoleSocket } from '../client/socket';
import { t } from '../i18n';
import { ProtocolError } from '../protocol';
import type { Store } from '../store';

export interface Ctx {
  store: Store;
  sock: ConsoleSocket;
  loginUrl: string;
  /** The agent's own typing indicator: when "start" last went out, and the idle timer. */
  typing: { sentAt: number; idle: number | undefined };
}

export function toast(ctx: Ctx, text: string): void {
  ctx.store.toast = text;
  ctx.store.changed('toast');
}

/** A failed request, worded for the agent (a dropped socket says so on its own). */
export function toastError(ctx: Ctx, e: unknown): void {
  if (e instanceof ProtocolError && e.code === 'disconnected') return;
  const msg = e instanceof Error ? e.message : String(e);
  toast(ctx, t('errorPrefix', { reason: msg }));
}
