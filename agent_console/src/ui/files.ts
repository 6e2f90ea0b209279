/**
 * Files in the console: the composer's paperclip (and its file picker), a paste
 * of files (a screenshot) into the composer, files dropped on the conversation
 * (thread or composer), and the tray above the text box that lists each file
 * with its progress and Cancel, then Retry or Remove when it did not go. On a
 * note the tray says, in its own colours, that the files stay with the agents.
 *
 * In the thread, `messageFiles` shows a message's files with the widget's own
 * drawing (ui/files/show.ts): images as thumbnails that open full size, other
 * files as chips (name, kind, size) that download; a note's files say they are
 * internal.
 */
import { clip } from '../../../widget/src/ui/files/clip';
import { accept } from '../../../widget/src/ui/files/kinds';
import { showFiles } from '../../../widget/src/ui/files/show';
import { TRANSIENT } from '../../../widget/src/ui/files/upload';
import { size } from '../../../widget/src/ui/files/words';
import { h, replace } from '../dom';
import { intlLocale, t, type MessageKey } from '../i18n';
import type { Ctx } from '../intents/context';
import { addFiles, dropFile, limitsOf, retryFile } from '../intents/files';
import type { Attachment } from '../protocol';
import type { FileRow, Upload } from '../uploads';

/** A refusal code, worded for the agent. */
const SAYS: Record<string, MessageKey> = {
  file_too_large: 'upFileTooLarge', type_not_allowed: 'upTypeNotAllowed', file_empty: 'upFileEmpty',
  image_too_large: 'upImageTooLarge', image_invalid: 'upImageInvalid', file_infected: 'upFileInfected',
  scan_unavailable: 'upScanUnavailable', uploads_disabled: 'upUploadsDisabled',
  upload_rate_limited: 'upRateLimited', rate_limited: 'upRateLimited', failed: 'upFailed',
  server_error: 'upServerError', upload_in_progress: 'upServerError',
};

/** The agent's language as Intl names it (sizes: "1,5 MB" in pt-BR). */
const locale = intlLocale;

interface Item { li: HTMLLIElement; bar: HTMLProgressElement; drawn: string }

export class FilesView {
  /** The paperclip, for the composer's bar. */
  readonly button: HTMLButtonElement;
  /** Above the text box: the note's warning, the files, and why Send waits. */
  readonly tray: HTMLElement;
  private picker = h('input', { type: 'file', multiple: true, hidden: true, tabindex: '-1', class: 'file-picker' });
  private list = h('ul', { class: 'file-tray', 'aria-label': t('filesToSend') });
  private noteLine = h('p', { class: 'files-note' }, t('filesWithNote'));
  private hintLine = h('p', { class: 'files-hint', role: 'status' });
  private items = new Map<string, Item>();

  constructor(private ctx: Ctx, input: HTMLTextAreaElement, private isNote: () => boolean) {
    this.button = h('button', { type: 'button', class: 'attach', title: t('attachFiles'), onclick: () => this.picker.click() },
      clip(), h('span', null, t('attachFiles')));
    this.tray = h('div', { class: 'files', hidden: true }, this.noteLine, this.list, this.hintLine, this.picker);
    this.picker.addEventListener('change', () => {
      if (this.picker.files) this.add(this.picker.files);
      this.picker.value = ''; // the same file may be chosen again
    });
    input.addEventListener('paste', (e: ClipboardEvent) => {
      const files = e.clipboardData?.files;
      if (files && files.length) {
        e.preventDefault();
        this.add(files);
      }
    });
    ctx.store.on(['selection', 'files', 'composer'], () => this.render());
  }

  /**
   * Files dropped anywhere on `zone` (the conversation: thread and composer) go
   * to the tray; elsewhere on the page a dropped file is refused, so a missed
   * drop never replaces the console with the file.
   */
  dropZone(zone: HTMLElement): void {
    const carries = (e: DragEvent) => !!e.dataTransfer && Array.from(e.dataTransfer.types).includes('Files');
    const open = () => !!this.ctx.store.current; // a site without files says so in the tray
    zone.dataset.drop = t('dropFiles');
    for (const type of ['dragenter', 'dragover']) {
      zone.addEventListener(type, (e) => {
        const d = e as DragEvent;
        if (!carries(d) || !open()) return;
        d.preventDefault();
        zone.classList.add('dropping');
      });
    }
    zone.addEventListener('dragleave', (e) => {
      if (!zone.contains((e as DragEvent).relatedTarget as Node | null)) zone.classList.remove('dropping');
    });
    zone.addEventListener('drop', (e) => {
      const d = e as DragEvent;
      zone.classList.remove('dropping');
      if (!carries(d) || !open()) return;
      d.preventDefault();
      this.add((d.dataTransfer as DataTransfer).files);
    });
    for (const type of ['dragover', 'drop']) {
      document.addEventListener(type, (e) => {
        const d = e as DragEvent;
        if (!d.defaultPrevented && carries(d)) {
          d.preventDefault();
          if (d.dataTransfer) d.dataTransfer.dropEffect = 'none';
        }
      });
    }
  }

  /** Why Send cannot go yet ('' when it can): said under the files. */
  hint(key: MessageKey | ''): void {
    this.hintLine.textContent = key ? t(key) : '';
  }

  private add(files: FileList | File[]): void {
    const id = this.ctx.store.selected;
    if (id === null || !files.length) return;
    this.hint('');
    addFiles(this.ctx, id, files);
  }

  private render(): void {
    const { store } = this.ctx;
    const c = store.current;
    const limits = c ? limitsOf(this.ctx, c.site) : undefined;
    this.button.hidden = !limits?.max_bytes;
    this.picker.accept = limits ? accept(limits.types) : '';
    const rows = c ? store.uploads.rows(c.id) : [];
    const keep = new Set(rows.map((r) => r.id));
    for (const [id, item] of this.items) {
      if (!keep.has(id)) {
        item.li.remove();
        this.items.delete(id);
      }
    }
    for (const row of rows) this.draw(c!.id, row);
    replace(this.list, ...rows.map((r) => this.items.get(r.id)!.li));
    if (!store.uploads.holdup(c ? c.id : -1)) this.hint('');
    this.tray.hidden = !rows.length;
    this.tray.classList.toggle('note', this.isNote());
    this.noteLine.hidden = !this.isNote();
  }

  /** One file's line, drawn again only when its state changed (a bar just moves). */
  private draw(conversation: number, row: FileRow): void {
    let item = this.items.get(row.id);
    if (!item) {
      const bar = h('progress', { max: '1', 'aria-label': t('uploadingFile', { name: row.file.name }) });
      item = { li: h('li', { class: 'file-row', 'data-id': row.id }), bar, drawn: '' };
      this.items.set(row.id, item);
    }
    if (row.progress === null) item.bar.removeAttribute('value');
    else item.bar.value = row.progress;
    const state = row.state + ':' + row.code;
    if (item.drawn === state) return;
    item.drawn = state;
    const act = (label: MessageKey, fn: () => void) => h('button', { type: 'button', class: 'link', onclick: fn }, t(label));
    const failed = row.state === 'failed';
    item.li.dataset.state = row.state;
    if (row.code) item.li.dataset.code = row.code;
    else delete item.li.dataset.code;
    replace(item.li,
      h('bdi', { class: 'file-name' }, row.file.name),
      h('small', null, size(row.file.size, locale())),
      row.state === 'uploading' ? item.bar : null,
      failed ? h('p', { class: 'error', role: 'alert' }, refusalText(row)) : null,
      failed && TRANSIENT.includes(row.code) ? act('retry', () => retryFile(this.ctx, conversation, row.id)) : null,
      act(row.state === 'uploading' ? 'cancel' : 'remove', () => dropFile(this.ctx, conversation, row.id)));
  }
}

function refusalText(row: FileRow): string {
  const key = SAYS[row.code];
  if (!key) return t('upRefused', { code: row.code });
  const max = row.detail && row.code === 'file_too_large' ? size(Number(row.detail), locale()) : '';
  return t(key, { max, n: row.detail });
}

/**
 * A message's files for the thread (a pending one's too, without links yet).
 * Chips download in place (`download`, no new tab); a note's files say they
 * are internal.
 */
export function messageFiles(list: Array<Attachment | Upload>, internal: boolean): HTMLElement {
  const box = h('div', { class: 'msg-files' });
  showFiles(box, list, window.location.href, locale());
  box.querySelectorAll<HTMLAnchorElement>('a.fc').forEach((a) => {
    a.removeAttribute('target');
    a.setAttribute('download', a.querySelector('bdi')?.textContent || '');
  });
  box.querySelectorAll<HTMLAnchorElement>('a').forEach((a) => {
    const name = a.querySelector('img')?.alt || a.querySelector('bdi')?.textContent || '';
    a.title = t(a.classList.contains('im') ? 'imageOpen' : 'fileDownload', { name });
  });
  if (internal) box.prepend(h('p', { class: 'files-internal' }, t('filesInternal')));
  return box;
}
