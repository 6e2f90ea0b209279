/**
 * Files on their way into the agent's next reply or note, per conversation
 * (an upload goes on while the agent looks at another chat, and is there when
 * they come back). No DOM and no network here: intents/files.ts moves the rows,
 * ui/files.ts draws them, and what may be sent is decided here, once.
 *
 * A help desk attaches files to the reply being written, and sends them with it:
 * so a row waits in the composer's tray until Send, and Send takes every row, or
 * none while one is still uploading or did not upload (the agent would believe
 * the file went with their words).
 */
import type { Upload } from '../../widget/src/client/protocol';

export type { Upload };

export interface FileRow {
  /** The upload's own id (`X-Papo-Upload-Id`), kept across retries: stored once. */
  id: string;
  file: File;
  state: 'uploading' | 'done' | 'failed';
  /** 0..1 while bytes move; null before the first progress event. */
  progress: number | null;
  /** Why it failed: a refusal code (docs/protocol.md, "Files"), 'failed' offline. */
  code: string;
  /** The value the refusal's sentence names (the site's limit, minutes to wait). */
  detail: string;
  result?: Upload;
  cancel?: () => void;
}

/** What stops Send: files still uploading, or files that did not upload. */
export type Holdup = 'uploading' | 'failed' | null;

export class Uploads {
  private byConv = new Map<number, FileRow[]>();

  rows(conversation: number): FileRow[] {
    return this.byConv.get(conversation) || [];
  }

  add(conversation: number, row: FileRow): void {
    this.byConv.set(conversation, [...this.rows(conversation), row]);
  }

  find(conversation: number, id: string): FileRow | undefined {
    return this.rows(conversation).find((r) => r.id === id);
  }

  remove(conversation: number, id: string): FileRow | undefined {
    const row = this.find(conversation, id);
    const left = this.rows(conversation).filter((r) => r.id !== id);
    if (left.length) this.byConv.set(conversation, left);
    else this.byConv.delete(conversation);
    return row;
  }

  holdup(conversation: number): Holdup {
    const rows = this.rows(conversation);
    return rows.some((r) => r.state === 'uploading') ? 'uploading'
      : rows.some((r) => r.state === 'failed') ? 'failed' : null;
  }

  /**
   * The uploads to send now, in the order they were added, leaving the tray
   * empty; nothing (and the tray as it was) while something holds them up.
   */
  take(conversation: number): Upload[] | null {
    if (this.holdup(conversation)) return null;
    const out = this.rows(conversation).map((r) => r.result as Upload);
    this.byConv.delete(conversation);
    return out;
  }
}

/** `list` in messages of at most `max` each (a send names at most `limits.max_files`). */
export function batches<T>(list: T[], max: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += Math.max(1, max)) out.push(list.slice(i, i + Math.max(1, max)));
  return out;
}

/** An upload id of the client's own (1–64 printable characters). */
export const uploadId = (): string =>
  'a-' + Date.now().toString(36) + Math.random().toString(36).slice(2, 12);
