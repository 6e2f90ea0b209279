/**
 * The composer: a reply or an internal note (a note only, where the agent may
 * not reply), Enter sends, and `/shortcut` suggests canned responses (arrows
 * pick, Tab or Enter inserts, an exact shortcut expands on send). Files
 * (ui/files.ts) go with the reply or note being written, sent with it by Send.
 */
import { cannedQuery, expandExact, matchCanned } from '../canned';
import { h, replace, userText } from '../dom';
import { t } from '../i18n';
import type { Ctx } from '../intents/context';
import { toast } from '../intents/context';
import { send, typed } from '../intents/chat';
import type { Canned, Conversation } from '../protocol';
import { FilesView } from './files';

export class ComposerView {
  readonly el: HTMLFormElement;
  readonly input: HTMLTextAreaElement;
  /** The files going with the next reply or note (paperclip, paste, drop). */
  readonly files: FilesView;
  private noteToggle: HTMLInputElement;
  private suggest = h('ul', { class: 'suggest', role: 'listbox', hidden: true });
  private suggestions: Canned[] = [];
  private suggestIndex = 0;

  constructor(private ctx: Ctx) {
    const input = h('textarea', { id: 'composer-input', rows: 3, 'aria-label': t('replyPlaceholder'), placeholder: t('replyPlaceholder') });
    this.input = input;
    this.noteToggle = h('input', { type: 'checkbox', id: 'note-toggle', onchange: () => this.renderState() });
    this.files = new FilesView(ctx, input, () => this.noteToggle.checked);
    this.el = h('form', { class: 'composer', onsubmit: (e: Event) => {
      e.preventDefault();
      this.submit();
    } },
    this.suggest, this.files.tray, input,
    h('div', { class: 'composer-bar' },
      h('span', { class: 'composer-tools' }, this.files.button, h('label', { class: 'note-label' }, this.noteToggle, ' ', t('note'))),
      h('button', { type: 'submit', class: 'primary' }, t('send'))));
    input.addEventListener('input', () => this.onInput());
    input.addEventListener('keydown', (e) => this.onKey(e));
    // Late, so a click on a suggestion lands first; and not when focus came back meanwhile
    // (a blur timer left over from a dialog must not hide what is being typed now).
    input.addEventListener('blur', () => window.setTimeout(() => {
      if (document.activeElement !== input) this.hideSuggestions();
    }, 150));
    ctx.store.on(['selection', 'focus', 'composer'], (changed) => {
      if (changed.has('selection')) {
        input.value = '';
        this.hideSuggestions();
      }
      if (changed.has('focus')) input.focus();
      if (changed.has('composer')) this.renderState();
    });
  }

  /** The `n` shortcut: reply ↔ note. */
  toggleNote(): void {
    this.noteToggle.checked = !this.noteToggle.checked;
    this.renderState();
    this.input.focus();
  }

  private renderState(): void {
    const c = this.ctx.store.current;
    this.el.hidden = !c;
    if (!c) return;
    const replyable = this.ctx.store.canReply(c);
    if (!replyable) this.noteToggle.checked = true;
    this.noteToggle.disabled = !replyable;
    const note = this.noteToggle.checked;
    this.el.classList.toggle('note-mode', note);
    this.input.placeholder = note ? t('notePlaceholder') : t('replyPlaceholder');
    this.input.setAttribute('aria-label', this.input.placeholder);
    this.ctx.store.changed('files'); // the tray says whether its files stay internal
  }

  private submit(): void {
    const { store } = this.ctx;
    const c = store.current;
    if (!c) return;
    let body = this.input.value;
    const expanded = expandExact(store.canned, c.site, body);
    if (expanded !== null) body = expanded;
    body = body.trim();
    const holdup = store.uploads.holdup(c.id);
    if (holdup) {
      this.files.hint(holdup === 'uploading' ? 'filesWait' : 'filesFix');
      return;
    }
    if (!body && !store.uploads.rows(c.id).length) return;
    const max = store.welcome?.limits.max_body || 4000;
    if (body.length > max) {
      toast(this.ctx, t('errorPrefix', { reason: `> ${max}` }));
      return;
    }
    const internal = this.noteToggle.checked || !store.canReply(c);
    const files = store.uploads.take(c.id) || [];
    this.input.value = '';
    this.hideSuggestions();
    send(this.ctx, c.id, body, internal, files);
    store.changed('files');
  }

  private onInput(): void {
    const c = this.ctx.store.current;
    if (!c) return;
    this.updateSuggestions(c);
    typed(this.ctx, c, this.input.value, this.noteToggle.checked);
  }

  private onKey(e: KeyboardEvent): void {
    if (this.suggestions.length) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const n = this.suggestions.length;
        this.suggestIndex = (this.suggestIndex + (e.key === 'ArrowDown' ? 1 : n - 1)) % n;
        this.renderSuggestions();
        return;
      }
      if (e.key === 'Tab' || (e.key === 'Enter' && !e.shiftKey)) {
        e.preventDefault();
        this.pickSuggestion(this.suggestIndex);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        this.hideSuggestions();
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      this.submit();
    } else if (e.key === 'Escape') {
      this.input.blur();
    }
  }

  // --- canned suggestions -------------------------------------------------------------------
  private updateSuggestions(c: Conversation): void {
    const q = cannedQuery(this.input.value);
    this.suggestions = q === null ? [] : matchCanned(this.ctx.store.canned, c.site, q);
    this.suggestIndex = 0;
    this.renderSuggestions();
  }

  private hideSuggestions(): void {
    this.suggestions = [];
    this.renderSuggestions();
  }

  private pickSuggestion(i: number): void {
    const s = this.suggestions[i];
    if (!s) return;
    this.input.value = s.body;
    this.hideSuggestions();
    this.input.focus();
  }

  private renderSuggestions(): void {
    const box = this.suggest;
    box.hidden = !this.suggestions.length;
    replace(box, ...this.suggestions.map((s, i) => h('li', {
      role: 'option', 'aria-selected': i === this.suggestIndex ? 'true' : 'false', class: i === this.suggestIndex ? 'on' : '',
      onmousedown: (e: Event) => {
        e.preventDefault();
        this.pickSuggestion(i);
      },
    }, h('b', null, '/' + s.shortcut), ' ', userText('span', '', s.body.slice(0, 120)))));
  }
}
