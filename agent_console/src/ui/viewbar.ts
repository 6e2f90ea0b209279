/**
 * Above the inbox's list: the search box (every chat: names, e-mails, words)
 * and the filters (site, status, who has it, tag, the days it started). What
 * they say is the URL's view (intents/view.ts): choosing a filter is a new
 * history entry; words typed are sent after a pause, refining one entry.
 */
import { h, replace } from '../dom';
import { isolated } from '../format';
import { t } from '../i18n';
import type { Ctx } from '../intents/context';
import { setQuery } from '../intents/view';
import { siteTags } from '../tags';
import { filterCount, MAX_Q, type Query } from '../view';

const TYPED_MS = 300;

export class ViewBar {
  readonly el: HTMLElement;
  readonly search: HTMLInputElement;
  private toggle: HTMLButtonElement;
  private panel = h('div', { class: 'filters', id: 'inbox-filters', role: 'group', hidden: true });
  private timer: number | undefined;
  private opened: boolean | null = null;

  constructor(private ctx: Ctx) {
    this.search = h('input', { type: 'search', class: 'search', id: 'inbox-search', maxlength: MAX_Q, autocomplete: 'off',
      placeholder: t('search'), 'aria-label': t('searchLabel') });
    this.search.addEventListener('input', () => {
      window.clearTimeout(this.timer);
      this.timer = window.setTimeout(() => this.commitWords(), TYPED_MS);
    });
    this.search.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter') return;
      e.preventDefault();
      window.clearTimeout(this.timer);
      this.commitWords();
    });
    this.toggle = h('button', { type: 'button', class: 'filters-btn', 'aria-expanded': 'false', 'aria-controls': 'inbox-filters',
      onclick: () => this.show(this.panel.hidden !== false) });
    this.panel.setAttribute('aria-label', t('filters'));
    this.el = h('div', { class: 'viewbar' }, h('div', { class: 'viewbar-row' }, this.search, this.toggle), this.panel);
    ctx.store.on(['view', 'tags', 'toolbar'], () => this.render());
  }

  /** The `f` shortcut: the filters, open, with focus on the first. */
  focusFilters(): void {
    this.show(true);
    (this.panel.querySelector('select, input') as HTMLElement | null)?.focus();
  }

  private show(open: boolean): void {
    this.opened = open;
    this.panel.hidden = !open;
    this.toggle.setAttribute('aria-expanded', String(open));
  }

  private commitWords(): void {
    const q = this.search.value.trim().slice(0, MAX_Q);
    const now = this.ctx.store.query;
    if ((now.q || '') === q) return;
    const v: Query = { ...now };
    if (q) v.q = q;
    else delete v.q;
    // More words for a search already in the URL refine its entry; a new search is a new one.
    setQuery(this.ctx, v, now.q && q ? 'replace' : 'push');
  }

  private set(field: keyof Query, value: Query[keyof Query] | ''): void {
    const v: Query = { ...this.ctx.store.query };
    if (value === '' || value === undefined) delete v[field];
    else (v as Record<string, unknown>)[field] = value;
    if (field === 'site' && v.tag !== undefined && this.ctx.store.tags.get(v.tag)?.site !== v.site && v.site) delete v.tag;
    setQuery(this.ctx, v, 'push');
  }

  private render(): void {
    const { store } = this.ctx;
    const v = store.query;
    if (document.activeElement !== this.search) this.search.value = v.q || '';
    const n = filterCount(v);
    this.toggle.textContent = n ? t('filtersN', { n }) : t('filters');
    this.toggle.classList.toggle('on', n > 0);
    if (this.opened === null && n) this.show(true); // a shared or reloaded view shows its filters
    if (this.panel.contains(document.activeElement) && document.activeElement !== this.panel) {
      this.syncValues(v); // the agent is in a field: keep it (and its open list) as it is
      return;
    }
    replace(this.panel, ...this.fields(v));
  }

  private syncValues(v: Query): void {
    for (const el of Array.from(this.panel.querySelectorAll<HTMLInputElement | HTMLSelectElement>('[name]'))) {
      const value = v[el.name as keyof Query];
      el.value = value === undefined ? '' : String(value);
    }
  }

  private fields(v: Query): HTMLElement[] {
    const { store } = this.ctx;
    const sites = store.welcome?.sites || [];
    const me = store.me;
    const select = (name: keyof Query, label: string, options: HTMLElement[], wide = false) => {
      const el = h('select', { name, id: 'view-' + name }, ...options);
      el.value = v[name] === undefined ? '' : String(v[name]);
      el.addEventListener('change', () => {
        const raw = el.value;
        this.set(name, raw === '' ? '' : (name === 'tag' || /^\d+$/.test(raw)) ? Number(raw) : raw as Query[keyof Query]);
      });
      return h('div', { class: wide ? 'field wide' : 'field' }, h('label', { for: el.id }, label), el);
    };
    const option = (value: string, text: string) => h('option', { value }, text);
    const agents = [...store.agents.values()].filter((a) => a.id !== me).sort((a, b) => a.name.localeCompare(b.name));
    const tagSites = v.site ? sites.filter((s) => s.key === v.site) : sites;
    const tagOptions = tagSites.flatMap((s) => {
      const opts = siteTags(store.tags, s.key).map((tag) => option(String(tag.id), isolated(tag.name)));
      return tagSites.length > 1 && opts.length ? [h('optgroup', { label: isolated(s.name) }, ...opts)] : opts;
    });
    const day = (name: 'from' | 'to', label: string) => {
      const el = h('input', { type: 'date', name, id: 'view-' + name, value: v[name] || '' });
      el.addEventListener('change', () => this.set(name, el.value));
      return h('div', { class: 'field' }, h('label', { for: el.id }, label), el);
    };
    const out: Array<HTMLElement | null> = [
      sites.length > 1 ? select('site', t('site'), [option('', t('anySite')), ...sites.map((s) => option(s.key, isolated(s.name)))]) : null,
      select('status', t('status'), [option('', t('anyStatus')), option('waiting', t('statusWaiting')),
        option('open', t('statusOpen')), option('resolved', t('statusResolved'))]),
      select('assignee', t('assignedTo'), [option('', t('assigneeAnyone')), option('me', t('assigneeMe')),
        option('unassigned', t('assigneeNobody')), ...agents.map((a) => option(String(a.id), isolated(a.name)))]),
      select('tag', t('tag'), [option('', t('anyTag')), ...tagOptions], sites.length < 2),
      day('from', t('dayFrom')), day('to', t('dayTo')),
      filterCount(v) ? h('button', { type: 'button', class: 'clear-filters', onclick: () => {
        setQuery(this.ctx, v.q ? { q: v.q } : {}, 'push');
        this.search.focus();
      } }, t('clearFilters')) : null,
    ];
    return out.filter((x): x is HTMLElement => !!x);
  }
}
