/**
 * Tags: put one on a chat or take it off (any agent of the site), and a site's
 * set of tags made, renamed, recoloured or deleted (its owners and admins; the
 * server refuses anyone else). Other consoles hear of it: a `conversation`
 * event `tagged` for a chat, a `tags` frame (the site's whole set) for the set.
 */
import type { Conversation, Frame, Tag } from '../protocol';
import { replaceSite } from '../tags';
import type { Ctx } from './context';
import { toastError } from './context';

/** Add (`on`) or remove a tag on a chat; the reply's view is the chat as it is now. */
export async function tagConversation(ctx: Ctx, conversation: number, tag: number, on: boolean): Promise<void> {
  const { store } = ctx;
  try {
    const reply = await ctx.sock.request({ type: on ? 'tag_add' : 'tag_remove', conversation, tag });
    if (reply.conversation) store.inbox.upsert(reply.conversation as Conversation);
    store.changed('header', 'list', 'view');
  } catch (e) {
    toastError(ctx, e);
  }
}

/** A new tag (no `id`) or a changed one; the error's text, for the form, or '' when saved. */
export async function saveTag(ctx: Ctx, tag: { id: number | null; site: string; name: string; color: string }): Promise<string> {
  try {
    const frame: Frame = { type: 'tag_save', site: tag.site, name: tag.name, color: tag.color };
    if (tag.id) frame.id = tag.id;
    const reply = await ctx.sock.request(frame);
    const saved = reply.tag as Tag;
    ctx.store.tags.set(saved.id, saved); // the `tags` frame follows with the whole set
    ctx.store.changed('tags', 'header', 'list', 'view');
    return '';
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

export async function deleteTag(ctx: Ctx, id: number): Promise<string> {
  try {
    await ctx.sock.request({ type: 'tag_delete', id });
    ctx.store.tags.delete(id);
    ctx.store.changed('tags', 'header', 'list', 'view');
    return '';
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** A `tags` frame: the site's set now (a deleted tag is gone from every chat, so from every chip). */
export function onTags(ctx: Ctx, f: Frame): void {
  replaceSite(ctx.store.tags, String(f.site), f.tags as Tag[]);
  ctx.store.changed('tags', 'header', 'list', 'view');
}
