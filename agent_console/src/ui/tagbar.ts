/**
 * The selected chat's tags, under its header: each a chip with a button to take
 * it off, and "Add a tag", which opens a combobox: type to narrow the site's
 * tags, arrows to move, Enter to add (the list stays open for the next), Escape
 * to close. Site admins find "Manage tags" there too. The popup is kept across
 * redraws (a colleague's tag arriving does not close it under the agent's keys).
 */
import { h, iso, replace } from '../dom';
import { t } from '../i18n';
import type { Ctx } from '../intents/context';
import { tagConversation } from '../intents/tags';
import type { Tag } from '../protocol';
import { siteTags, tagsOf } from '../tags';
import { paint, tagChip } from './chips';

export class TagBar {
  readonly el: HTMLElement;
  private chips = h('span', { class: 'tag-chips', role: 'group' });
  private addBtn: HTMLButtonElement;
  private popup = h('div', { class: 'tag-popup', hidden: true });
  private input: HTMLInputElement;
  private listbox = h('ul', { class: 'tag-options', role: 'listbox', id: 'tag-options' });
  private none = h('p', { class: 'muted tag-none', role: 'status' });
  private manageBtn: HTMLButtonElement;
  private options: Tag[] = [];
  private active = 0;

  constructor(private ctx: Ctx, private manage: (site: string) => void) {
    this.chips.setAttribute('aria-label', t('tagsOfChat'));
    this.listbox.setAttribute('aria-label', t('tags'));
    this.addBtn = h('button', { type: 'button', class: 'small add-tag', 'aria-haspopup': 'listbox', 'aria-expanded': 'false',
      onclick: () => (this.popup.hidden ? this.open() : this.close(true)) }, '+ ' + t('addTag'));
    this.input = h('input', { type: 'text', class: 'tag-find', role: 'combobox', 'aria-autocomplete': 'list', 'aria-expanded': 'true',
      'aria-controls': 'tag-options', 'aria-label': t('findTag'), placeholder: t('findTag'), autocomplete: 'off' });
    this.input.addEventListener('input', () => {
      this.active = 0;
      this.renderOptions();
    });
    this.input.addEventListener('keydown', (e) => this.onKey(e));
    this.manageBtn = h('button', { type: 'button', class: 'link manage-tags', onclick: () => {
      const site = ctx.store.current?.site;
      this.close(false);
      if (site) this.manage(site);
    } }, t('manageTags'));
    replace(this.popup, this.input, this.listbox, this.none, this.manageBtn);
    this.popup.addEventListener('focusout', (e) => {
      if (!this.popup.contains(e.relatedTarget as Node | null) && e.relatedTarget !== this.addBtn) this.close(false);
    });
    this.el = h('div', { class: 'tag-bar' }, this.chips, h('span', { class: 'tag-add' }, this.addBtn, this.popup));
    ctx.store.on(['header', 'tags', 'selection'], (changed) => {
      if (changed.has('selection')) this.close(false);
      this.render();
    });
  }

  /** The `l` shortcut. */
  open(): void {
    if (!this.ctx.store.current) return;
    this.popup.hidden = false;
    this.addBtn.setAttribute('aria-expanded', 'true');
    this.input.value = '';
    this.active = 0;
    this.renderOptions();
    this.input.focus();
  }

  private close(refocus: boolean): void {
    if (this.popup.hidden) return;
    this.popup.hidden = true;
    this.addBtn.setAttribute('aria-expanded', 'false');
    if (refocus) this.addBtn.focus();
  }

  private render(): void {
    const { store } = this.ctx;
    const c = store.current;
    this.el.hidden = !c;
    if (!c) return;
    replace(this.chips, ...tagsOf(c.tags, store.tags).map((tag) => {
      const remove = h('button', { type: 'button', class: 'chip-remove', 'aria-label': t('removeTag', { name: tag.name }), title: t('removeTag', { name: tag.name }),
        onclick: () => void tagConversation(this.ctx, c.id, tag.id, false).then(() => this.addBtn.focus()) }, '×');
      return tagChip(tag, remove);
    }));
    if (!this.popup.hidden) this.renderOptions();
  }

  private renderOptions(): void {
    const { store } = this.ctx;
    const c = store.current;
    if (!c) return;
    const words = this.input.value.trim().toLocaleLowerCase();
    const all = siteTags(store.tags, c.site);
    const free = all.filter((tag) => !c.tags.includes(tag.id));
    this.options = free.filter((tag) => !words || tag.name.toLocaleLowerCase().includes(words));
    this.active = Math.min(this.active, Math.max(0, this.options.length - 1));
    replace(this.listbox, ...this.options.map((tag, i) => {
      const swatch = h('span', { class: 'swatch', 'aria-hidden': 'true' });
      paint(swatch, tag.color);
      const li = h('li', { role: 'option', id: 'tag-option-' + tag.id, 'data-tag': tag.id, 'aria-selected': i === this.active ? 'true' : 'false',
        class: i === this.active ? 'on' : '' }, swatch, iso(tag.name));
      li.addEventListener('mousedown', (e) => e.preventDefault()); // the input keeps focus
      li.addEventListener('click', () => this.pick(tag));
      return li;
    }));
    const none = !all.length ? t('noTagsYet') : !free.length ? t('allTagsOn') : !this.options.length ? t('noTagMatch') : '';
    this.listbox.hidden = !this.options.length;
    if (this.options.length) this.input.setAttribute('aria-activedescendant', 'tag-option-' + this.options[this.active].id);
    else this.input.removeAttribute('aria-activedescendant');
    this.input.setAttribute('aria-expanded', String(this.options.length > 0));
    this.none.textContent = none;
    this.none.hidden = !none;
    this.manageBtn.hidden = !store.isAdminOf(c.site);
    this.listbox.querySelector('li.on')?.scrollIntoView({ block: 'nearest' });
  }

  private pick(tag: Tag): void {
    const c = this.ctx.store.current;
    if (!c) return;
    this.input.value = '';
    void tagConversation(this.ctx, c.id, tag.id, true);
  }

  private onKey(e: KeyboardEvent): void {
    const n = this.options.length;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (n) this.active = (this.active + (e.key === 'ArrowDown' ? 1 : n - 1)) % n;
      this.renderOptions();
    } else if (e.key === 'Enter') {
      e.preventDefault();
      if (n) this.pick(this.options[this.active]);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      this.close(true);
    }
  }
}
