/**
 * The console's dialogs: keyboard shortcuts (every one of them: keyboard.ts's
 * and the composer's), canned responses (everyone reads them; a site's admins
 * add, edit and delete them) and tags (tag_manager.ts).
 */
import { h, iso, replace, userText } from '../dom';
import { isolated } from '../format';
import { t, type MessageKey } from '../i18n';
import { deleteCanned, saveCanned } from '../intents/canned';
import type { Ctx } from '../intents/context';
import type { Canned } from '../protocol';
import { TagManager } from './tag_manager';

/** Every key the console answers (keyboard.ts, composer.ts): the `?` overlay lists them all. */
export const SHORTCUTS: Array<[string, MessageKey]> = [
  ['1 2 3 4', 'kbBoxes'], ['j / k', 'kbNextPrev'], ['c', 'kbClaim'], ['e', 'kbResolve'], ['o', 'kbReopen'],
  ['t', 'kbTransfer'], ['r', 'kbReply'], ['n', 'kbNote'], ['l', 'kbTag'], ['/', 'kbSearch'], ['f', 'kbFilters'],
  ['Enter', 'kbSend'], ['Shift + Enter', 'kbNewLine'], ['/…', 'kbCanned'], ['Esc', 'kbEsc'], ['?', 'kbHelp'],
];

export class Dialogs {
  readonly canned = h('dialog', { class: 'canned-dialog' });
  readonly help = h('dialog', { class: 'help-dialog', 'aria-labelledby': 'help-title' });
  readonly tags: TagManager;

  constructor(private ctx: Ctx) {
    this.tags = new TagManager(ctx);
    replace(this.help,
      h('h2', { id: 'help-title' }, t('shortcuts')),
      h('table', null, ...SHORTCUTS.map(([k, label]) => h('tr', null, h('th', null, h('kbd', null, k)), h('td', null, t(label))))),
      h('form', { method: 'dialog' }, h('button', { type: 'submit' }, t('close'))));
    ctx.store.on(['canned'], () => {
      if (this.canned.open) this.renderCanned();
    });
  }

  openHelp(): void {
    this.help.showModal();
  }

  openTags(site?: string): void {
    this.tags.open(site);
  }

  openCanned(): void {
    this.renderCanned();
    this.canned.showModal();
  }

  private renderCanned(): void {
    const { store } = this.ctx;
    const sites = store.welcome?.sites || [];
    const adminSites = sites.filter((s) => s.role === 'admin');
    const items = sites.map((site) => {
      const rows = store.canned.filter((c) => c.site === site.key).sort((a, b) => a.shortcut.localeCompare(b.shortcut));
      const editable = site.role === 'admin';
      return h('section', null,
        sites.length > 1 ? h('h3', null, iso(site.name)) : null,
        rows.length ? h('ul', { class: 'canned-list' }, ...rows.map((c) => h('li', { 'data-shortcut': c.shortcut },
          h('b', null, '/' + c.shortcut), ' ', userText('span', '', c.body),
          editable ? h('button', { type: 'button', class: 'small', onclick: () => this.fillForm(c) }, t('edit')) : null,
          editable ? h('button', { type: 'button', class: 'small danger', onclick: () => void deleteCanned(this.ctx, c.id) }, t('delete')) : null)))
          : h('p', { class: 'muted' }, t('none')));
    });
    const form = adminSites.length ? h('form', { class: 'canned-form', onsubmit: (e: Event) => {
      e.preventDefault();
      const data = new FormData(e.target as HTMLFormElement);
      void saveCanned(this.ctx, {
        id: Number(data.get('id')) || null, site: String(data.get('site')), shortcut: String(data.get('shortcut')), body: String(data.get('body')),
      });
    } },
    h('input', { type: 'hidden', name: 'id', value: '' }),
    adminSites.length > 1 ? h('label', null, t('site'), ' ', h('select', { name: 'site' }, ...adminSites.map((s) => h('option', { value: s.key }, isolated(s.name)))))
      : h('input', { type: 'hidden', name: 'site', value: adminSites[0].key }),
    h('label', null, t('shortcut'), ' ', h('input', { name: 'shortcut', required: true, maxlength: 32, pattern: '/?[a-z0-9][a-z0-9_\\-]{0,31}', placeholder: 'hello' })),
    h('label', null, t('text'), ' ', h('textarea', { name: 'body', required: true, rows: 3, maxlength: 4000 })),
    h('button', { type: 'submit', class: 'primary' }, t('save'))) : h('p', { class: 'muted' }, t('adminOnly'));
    replace(this.canned,
      h('h2', null, t('canned')), h('p', { class: 'muted' }, t('cannedHint')), ...items, form,
      h('form', { method: 'dialog' }, h('button', { type: 'submit' }, t('close'))));
  }

  private fillForm(c: Canned): void {
    const form = this.canned.querySelector('form.canned-form') as HTMLFormElement | null;
    if (!form) return;
    (form.elements.namedItem('id') as HTMLInputElement).value = String(c.id);
    (form.elements.namedItem('shortcut') as HTMLInputElement).value = c.shortcut;
    (form.elements.namedItem('body') as HTMLTextAreaElement).value = c.body;
    const site = form.elements.namedItem('site') as HTMLInputElement | HTMLSelectElement;
    site.value = c.site;
  }
}
