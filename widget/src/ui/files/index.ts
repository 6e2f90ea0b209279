/**
 * Entry of the files chunk (files-<hash>.js): sending files and showing them.
 * The UI chunk loads it (ui/lazy.ts) when the panel opens on a site that takes
 * files, or when a message with files is to be shown, and gets `files`
 * through the chunk's <script>. Everything about files lives here, in every
 * language, so the UI chunk stays in its size budget.
 */
import type { Connection } from '../../client/socket';
import type { Session } from '../../client/storage';
import type { Attachment, Upload } from '../../client/protocol';
import type { FileLimits } from '../../client/wire';
import { handOver } from '../hand';
import { showFiles } from './show';
import { tray } from './tray';
import { wordsFor } from './words';

export interface FilesHost {
  locale: string;
  /** Where uploads go (`…/api/widget/<key>/uploads`) and what file links are relative to. */
  url: string;
  base: string;
  conn: Connection;
  session: Session;
  /** The site's file settings now (`config.files`). */
  limits(): FileLimits | undefined;
  style(css: string): void;
  /** The composer's text box: the paperclip goes beside it, the tray above its form. */
  input: HTMLTextAreaElement;
  /** Sends a message with these uploads (no text). */
  send(files: Upload[]): void;
}

export interface Files {
  show(el: HTMLElement, list: Array<Attachment | Upload>): void;
  sync(): void;
}

const CSS = `
.pa{flex:none;width:36px;height:40px;border-radius:8px;color:#595959;display:grid;place-items:center}
.pa:hover{background:#eef0f3}.pa svg{width:22px;height:22px;fill:none;stroke:currentColor;stroke-width:1.8;stroke-linecap:round}
.tr{list-style:none;margin:0;padding:0;display:flex;flex-direction:column;gap:6px}
.tr li{margin:0;flex-direction:row;flex-wrap:wrap;align-items:center;gap:4px 8px;font-size:13px;padding:6px 10px;border:1px solid #dcdfe4;border-radius:8px}
.tr bdi{flex:1;min-width:0;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.tr small,.fc small{color:#595959}.tr progress{width:100%;height:6px}.tr p{margin:0;width:100%}
.tr button{color:#0b57d0;text-decoration:underline}
.fs{display:flex;flex-direction:column;gap:4px;max-width:85%;margin-top:2px}.v .fs{align-items:flex-end}
.im img{display:block;border-radius:12px;background:#eef0f3;max-width:100%;height:auto}
.fc{display:flex;gap:8px;align-items:baseline;padding:8px 12px;border:1px solid #dcdfe4;border-radius:12px;color:#1a1a1a;text-decoration:none;max-width:100%}
.fc bdi{overflow:hidden;text-overflow:ellipsis;white-space:nowrap;text-decoration:underline}
.dz{outline:3px dashed var(--c);outline-offset:-3px}
.dz::after{content:attr(data-drop);position:absolute;inset:auto 0 45% 0;text-align:center;font-weight:600;pointer-events:none}
`;

export function files(host: FilesHost): Files {
  const w = wordsFor(host.locale);
  host.style(CSS);
  const t = tray(host, w);
  t.sync();
  return {
    show: (el, list) => showFiles(el, list, host.base, host.locale),
    sync: t.sync,
  };
}

handOver(files);
