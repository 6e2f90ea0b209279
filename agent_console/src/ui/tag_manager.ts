/**
 * The tags dialog: every site's tags as chips, for everyone; a site's owners
 * and admins also rename, recolour and delete them (deleting asks first: it
 * takes the tag off every chat) and add new ones. A dialog of the console, not
 * a settings page, because tags are the socket's (`tag_save`, `tag_delete`)
 * and every console hears of a change at once (`tags` frames): this one too,
 * redrawn while open, like the canned responses' dialog beside it.
 */
import { h, iso, replace } from '../dom';
import { isolated } from '../format';
import { t } from '../i18n';
import type { Ctx } from '../intents/context';
import { deleteTag, saveTag } from '../intents/tags';
import type { SiteInfo, Tag } from '../protocol';
import { PALETTE, siteTags } from '../tags';
import { tagChip } from './chips';

export class TagManager {
  readonly el = h('dialog', { class: 'tags-dialog', 'aria-labelledby': 'tags-dialog-title' });
  private error = h('p', { class: 'error', role: 'alert' });
  /** The tag whose delete waits for a yes. */
  private confirming: number | null = null;

  constructor(private ctx: Ctx) {
    ctx.store.on(['tags'], () => {
      // Redraw for a colleague's change, but never under the agent's fingers.
      if (this.el.open && !this.el.querySelector('form:focus-within input:not([type=color])')) this.render();
    });
  }

  open(site?: string): void {
    this.confirming = null;
    this.error.textContent = '';
    this.render();
    this.el.showModal();
    const first = (site && this.el.querySelector(`section[data-site="${CSS.escape(site)}"] input[name=name]`)) ||
      this.el.querySelector('input[name=name]');
    (first as HTMLElement | null)?.focus();
  }

  private render(): void {
    const sites = this.ctx.store.welcome?.sites || [];
    replace(this.el,
      h('h2', { id: 'tags-dialog-title' }, t('tags')), h('p', { class: 'muted' }, t('tagsHint')),
      ...sites.map((s) => this.site(s, sites.length > 1)),
      this.error,
      h('form', { method: 'dialog' }, h('button', { type: 'submit' }, t('close'))));
    this.error.hidden = !this.error.textContent;
  }

  private site(site: SiteInfo, named: boolean): HTMLElement {
    const tags = siteTags(this.ctx.store.tags, site.key);
    const admin = site.role === 'admin';
    return h('section', { 'data-site': site.key },
      named ? h('h3', null, iso(site.name)) : null,
      tags.length ? h('ul', { class: 'tag-list' }, ...tags.map((tag) => (admin ? this.editRow(tag) : h('li', null, tagChip(tag)))))
        : h('p', { class: 'muted' }, t('noTagsYet')),
      admin ? this.newForm(site, tags.length) : h('p', { class: 'muted' }, t('tagsAdminOnly')));
  }

  private editRow(tag: Tag): HTMLElement {
    if (this.confirming === tag.id) {
      return h('li', { 'data-tag': tag.id, class: 'confirm' },
        h('span', null, t('tagDeleteConfirm', { name: tag.name })),
        h('button', { type: 'button', class: 'small danger confirm-delete', onclick: () => void this.run(() => deleteTag(this.ctx, tag.id)) }, t('deleteIt')),
        h('button', { type: 'button', class: 'small', onclick: () => this.ask(null) }, t('cancel')));
    }
    const name = h('input', { name: 'name', value: tag.name, required: true, maxlength: 40, 'aria-label': t('tagNameOf', { name: tag.name }) });
    const color = h('input', { type: 'color', name: 'color', value: tag.color, 'aria-label': t('tagColourOf', { name: tag.name }) });
    return h('li', { 'data-tag': tag.id },
      h('form', { class: 'tag-edit', onsubmit: (e: Event) => {
        e.preventDefault();
        void this.run(() => saveTag(this.ctx, { id: tag.id, site: tag.site, name: name.value, color: color.value }));
      } },
      tagChip(tag), name, color,
      h('button', { type: 'submit', class: 'small' }, t('save')),
      h('button', { type: 'button', class: 'small danger', onclick: () => this.ask(tag.id) }, t('delete'))));
  }

  private newForm(site: SiteInfo, n: number): HTMLElement {
    const name = h('input', { name: 'name', required: true, maxlength: 40 });
    const color = h('input', { type: 'color', name: 'color', value: PALETTE[n % PALETTE.length] });
    const id = 'new-tag-' + site.key;
    return h('form', { class: 'tag-new', 'aria-labelledby': id, onsubmit: (e: Event) => {
      e.preventDefault();
      void this.run(() => saveTag(this.ctx, { id: null, site: site.key, name: name.value, color: color.value }));
    } },
    h('h4', { id }, t('newTag') + (this.ctx.store.welcome && this.ctx.store.welcome.sites.length > 1 ? ' · ' + isolated(site.name) : '')),
    h('label', null, h('span', null, t('tagName')), name),
    h('label', null, h('span', null, t('tagColour')), color),
    h('button', { type: 'submit', class: 'primary' }, t('addTheTag')));
  }

  private ask(id: number | null): void {
    this.confirming = id;
    this.render();
    (this.el.querySelector(id === null ? 'input[name=name]' : 'button.confirm-delete') as HTMLElement | null)?.focus();
  }

  private async run(action: () => Promise<string>): Promise<void> {
    const failed = await action();
    this.confirming = null;
    this.error.textContent = failed ? t('errorPrefix', { reason: failed }) : '';
    this.render();
    if (!failed) (this.el.querySelector('form.tag-new input[name=name]') as HTMLElement | null)?.focus();
  }
}
