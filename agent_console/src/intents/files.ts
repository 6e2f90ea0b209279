/**
 * The agent attaches files to the reply (or note) they are writing: each is
 * checked against the site's `files` (size, kind) before a byte is sent, then
 * uploaded to `/console/sites/<key>/uploads` with the session and the CSRF
 * token (docs/protocol.md, "Files"), with its progress, Cancel, and Retry under
 * the same upload id (a retry after a dropped connection stores nothing twice).
 * The rules live in the widget's files (kinds.ts, upload.ts): one place each.
 */
import { refusal } from '../../../widget/src/ui/files/kinds';
import { upload, type Refusal } from '../../../widget/src/ui/files/upload';
import type { FileLimits } from '../wire';
import { uploadId, type FileRow } from '../uploads';
import type { Ctx } from './context';
import { checkSession } from './live';

/** What a site takes (`welcome.sites[].files`); undefined: not one of the agent's sites. */
export function limitsOf(ctx: Ctx, site: string): FileLimits | undefined {
  return ctx.store.welcome?.sites.find((s) => s.key === site)?.files;
}

/** Files to the conversation's tray: refused at once, or uploading. */
export function addFiles(ctx: Ctx, conversation: number, files: FileList | File[]): void {
  const c = ctx.store.inbox.get(conversation);
  if (!c) return;
  const limits = limitsOf(ctx, c.site);
  for (const file of Array.from(files)) {
    const row: FileRow = { id: uploadId(), file, state: 'uploading', progress: null, code: '', detail: '' };
    ctx.store.uploads.add(conversation, row);
    const no = refusal(file, limits);
    if (no) fail(row, no, limits ? String(limits.max_bytes) : '');
    else start(ctx, conversation, row);
  }
  ctx.store.changed('files');
}

/** Cancel an upload under way, or take a file out of the tray. */
export function dropFile(ctx: Ctx, conversation: number, id: string): void {
  const row = ctx.store.uploads.remove(conversation, id);
  row?.cancel?.();
  ctx.store.changed('files');
}

/** Upload a failed file again, under its first upload id. */
export function retryFile(ctx: Ctx, conversation: number, id: string): void {
  const row = ctx.store.uploads.find(conversation, id);
  if (!row || row.state !== 'failed') return;
  start(ctx, conversation, row);
  ctx.store.changed('files');
}

function fail(row: FileRow, code: string, detail = ''): void {
  row.state = 'failed';
  row.code = code;
  row.detail = detail;
  row.cancel = undefined;
}

function start(ctx: Ctx, conversation: number, row: FileRow): void {
  const { store } = ctx;
  const c = store.inbox.get(conversation);
  if (!c) return;
  row.state = 'uploading';
  row.progress = null;
  row.code = '';
  const sending = upload(`/console/sites/${encodeURIComponent(c.site)}/uploads`, row.file, row.id,
    { 'X-CSRFToken': csrfToken() }, (f) => {
      row.progress = f;
      store.changed('files');
    });
  row.cancel = sending.cancel;
  sending.done.then(
    (result) => {
      if (row.cancel !== sending.cancel) return; // cancelled, or started again meanwhile
      row.state = 'done';
      row.result = result;
      row.cancel = undefined;
      store.changed('files');
    },
    (r: Refusal) => {
      if (r.code === 'cancelled' || row.cancel !== sending.cancel) return;
      if (r.code === 'session_ended') void checkSession(ctx);
      const limits = limitsOf(ctx, c.site);
      fail(row, r.code, r.code === 'upload_rate_limited' || r.code === 'rate_limited'
        ? String(Math.ceil(r.retryAfter || 60)) : limits ? String(limits.max_bytes) : '');
      store.changed('files');
    },
  );
}

/**
 * Django's CSRF token for the upload's `X-CSRFToken`: from the page's own form
 * (the logout form carries one), else from the `csrftoken` cookie.
 */
function csrfToken(): string {
  const field = document.querySelector<HTMLInputElement>('input[name=csrfmiddlewaretoken]');
  if (field?.value) return field.value;
  const m = /(?:^|;\s*)csrftoken=([^;]+)/.exec(document.cookie);
  return m ? decodeURIComponent(m[1]) : '';
}
