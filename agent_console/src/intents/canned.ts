/** Canned responses: an admin saves or deletes one; every agent of the site gets the new set. */
import type { Canned } from '../protocol';
import type { Ctx } from './context';
import { toastError } from './context';

export async function saveCanned(ctx: Ctx, c: { id: number | null; site: string; shortcut: string; body: string }): Promise<void> {
  const { store } = ctx;
  try {
    const reply = await ctx.sock.request({ type: 'canned_save', site: c.site, shortcut: c.shortcut, body: c.body, ...(c.id ? { id: c.id } : {}) });
    const saved = reply.canned as Canned;
    store.canned = [...store.canned.filter((x) => x.id !== saved.id), saved];
    store.changed('canned');
  } catch (e) {
    toastError(ctx, e);
  }
}

export async function deleteCanned(ctx: Ctx, id: number): Promise<void> {
  const { store } = ctx;
  try {
    await ctx.sock.request({ type: 'canned_delete', id });
    store.canned = store.canned.filter((c) => c.id !== id);
    store.changed('canned');
  } catch (e) {
    toastError(ctx, e);
  }
}
