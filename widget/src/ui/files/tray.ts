/**
 * Files on their way: the paperclip (and its file picker), a paste of files
 * into the composer, files dropped on the panel, and the tray above the
 * composer that lists each upload with its progress and Cancel, then Retry or
 * Remove when it did not go.
 *
 * The site's limits (`config.files`) are checked first: a file too large or of
 * a kind the site does not take is refused before any byte is sent. Each file
 * that uploads becomes a message of its own, sent in the order the files were
 * chosen; a retry keeps the upload's id, so the server never stores it twice.
 * An upload waits for the widget's token (the socket's `welcome`) and starts
 * again with a fresh one when the server says it expired.
 */
import type { Upload } from '../../client/protocol';
import { h, iso, on } from '../dom';
import { clip } from './clip';
import { accept, refusal } from './kinds';
import { TRANSIENT, upload, type Refusal, type Sending } from './upload';
import { size, type Words } from './words';
import type { FilesHost } from './index';

interface Row {
  file: File;
  id: string;
  li: HTMLLIElement;
  bar: HTMLProgressElement;
  state: 'waiting' | 'uploading' | 'done' | 'failed';
  sending?: Sending;
  result?: Upload;
}

const uploadId = (): string => 'u-' + Date.now().toString(36) + Math.random().toString(36).slice(2, 12);

export function tray(host: FilesHost, w: Words) {
  const { input, conn, session } = host;
  const form = input.form as HTMLFormElement;
  const panel = input.closest('.p') as HTMLElement;
  const list = h('ul', { class: 'tr', 'aria-label': w.attach, hidden: true });
  const picker = h('input', { type: 'file', multiple: true, hidden: true, tabindex: '-1' });
  const button = h('button', { type: 'button', class: 'pa', 'aria-label': w.attach, title: w.attach }, clip());
  const rows: Row[] = [];
  form.before(list);
  (input.parentElement as HTMLElement).prepend(button, picker);
  panel.dataset.drop = w.drop;

  const say = (key: keyof Words, n = ''): string =>
    w[key].replace('{max}', n).replace('{n}', n).replace('{name}', n);

  function draw(row: Row, problem = ''): void {
    const act = (label: string, fn: () => void) => {
      const b = h('button', { type: 'button' }, label);
      on(b, 'click', fn);
      return b;
    };
    const bad = row.state === 'failed';
    const kids = [
      iso(row.file.name),
      h('small', {}, size(row.file.size, host.locale)),
      !bad && row.bar,
      problem && h('p', { class: 'er', role: 'alert' }, problem),
      bad && TRANSIENT.includes(row.li.dataset.code || '') && act(w.retry, () => start(row)),
      act(bad ? w.remove : w.cancel, () => drop(row)),
    ];
    row.li.replaceChildren(...(kids.filter(Boolean) as Node[]));
    list.hidden = !rows.length;
  }

  function drop(row: Row): void {
    row.sending?.cancel();
    rows.splice(rows.indexOf(row), 1);
    row.li.remove();
    list.hidden = !rows.length;
    flush();
    input.focus();
  }

  function fail(row: Row, code: string, detail = ''): void {
    row.state = 'failed';
    row.li.dataset.code = code;
    draw(row, say((code in w ? code : 'failed') as keyof Words, detail));
  }

  function start(row: Row): void {
    const token = session.get().t;
    row.state = 'waiting';
    row.bar.removeAttribute('value'); // indeterminate until bytes move
    draw(row);
    if (!token) return conn.start(); // `welcome` brings a token, then this starts again
    row.state = 'uploading';
    const sending = (row.sending = upload(host.url, row.file, row.id, { Authorization: 'Bearer ' + token }, (f) => (row.bar.value = f)));
    sending.done.then(
      (result) => {
        row.state = 'done';
        row.result = result;
        flush();
      },
      (r: Refusal) => {
        if (r.code === 'cancelled' || row.sending !== sending) return;
        if (r.status === 401) {
          row.state = 'waiting'; // the token expired: a fresh socket brings a fresh one
          return conn.restart();
        }
        const limits = host.limits();
        fail(row, r.code,
          r.code === 'upload_rate_limited' ? String(Math.ceil((r.retryAfter || 60) / 60))
            : limits ? size(limits.max_bytes, host.locale) : '');
      },
    );
  }

  /** Sends the uploads that are done, in the order they were chosen; refused ones wait to be removed. */
  function flush(): void {
    for (const row of [...rows]) {
      if (row.state === 'done' && row.result) {
        host.send([row.result]);
        rows.splice(rows.indexOf(row), 1);
        row.li.remove();
      } else if (row.state !== 'failed' || TRANSIENT.includes(row.li.dataset.code || '')) break;
    }
    list.hidden = !rows.length;
  }

  function add(files: FileList | File[]): void {
    const limits = host.limits();
    for (const file of Array.from(files)) {
      const row: Row = { file, id: uploadId(), li: h('li', {}), bar: h('progress', { max: '1', 'aria-label': say('uploading', file.name) }), state: 'waiting' };
      rows.push(row);
      list.append(row.li);
      const no = refusal(file, limits);
      if (no) fail(row, no, limits ? size(limits.max_bytes, host.locale) : '');
      else start(row);
    }
  }

  conn.on('welcome', () => rows.filter((r) => r.state === 'waiting').forEach(start));
  on(button, 'click', () => picker.click());
  on(picker, 'change', () => {
    if (picker.files) add(picker.files);
    picker.value = ''; // the same file may be chosen again
  });
  on(input, 'paste', (e: ClipboardEvent) => {
    const files = e.clipboardData && e.clipboardData.files;
    if (files && files.length) {
      e.preventDefault();
      add(files);
    }
  });
  const carries = (e: DragEvent) => !!e.dataTransfer && Array.from(e.dataTransfer.types).includes('Files');
  for (const type of ['dragenter', 'dragover']) {
    on(panel, type, (e: DragEvent) => {
      if (!carries(e)) return;
      e.preventDefault(); // else the browser opens the file in place of the customer's page
      panel.classList.add('dz');
    });
  }
  on(panel, 'dragleave', (e: DragEvent) => {
    if (!panel.contains(e.relatedTarget as Node | null)) panel.classList.remove('dz');
  });
  on(panel, 'drop', (e: DragEvent) => {
    panel.classList.remove('dz');
    if (!carries(e)) return;
    e.preventDefault();
    add((e.dataTransfer as DataTransfer).files);
  });

  return {
    add,
    /** Shows the paperclip while the site takes files (its settings may change). */
    sync(): void {
      const limits = host.limits();
      button.hidden = !limits || !limits.max_bytes;
      picker.accept = limits ? accept(limits.types) : '';
    },
  };
}
