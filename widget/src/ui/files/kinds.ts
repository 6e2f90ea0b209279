/**
 * What kind of file a File is, as far as a browser can tell before sending it
 * (its name's extension, then the type the browser guessed). The server reads
 * the bytes and decides (docs/protocol.md, "Files"); this is only so a visitor
 * hears "not here" before waiting for an upload that would be refused. A file
 * this cannot place is left to the server.
 *
 * The widget and the agent console both import this file: it is the one place
 * for what a browser refuses before an upload.
 */
import type { FileLimits } from '../../client/wire';

const EXTENSIONS: Record<string, string> = {
  image: 'png jpg jpeg gif webp',
  pdf: 'pdf',
  text: 'txt text log csv md',
  document: 'doc docx xls xlsx ppt pptx odt ods odp rtf',
  archive: 'zip gz tgz 7z rar tar bz2 xz',
  media: 'mp3 mp4 m4a wav ogg oga webm mov avi mkv flac aac heic heif',
  markup: 'html htm svg xml',
};
const BY_TYPE: [string, RegExp][] = [
  ['image', /^image\/(png|jpeg|gif|webp)$/],
  ['pdf', /^application\/pdf$/],
  ['text', /^text\/plain$/],
  ['media', /^(audio|video)\//],
];
const listed = (kind: string): string[] => (EXTENSIONS[kind] || '').split(' ').filter(Boolean);

export function kindOf(file: { name: string; type: string }): string | null {
  const dot = file.name.lastIndexOf('.');
  const ext = dot > 0 ? file.name.slice(dot + 1).toLowerCase() : '';
  const byName = ext && Object.keys(EXTENSIONS).find((k) => listed(k).includes(ext));
  if (byName) return byName;
  const byType = BY_TYPE.find(([, re]) => re.test(file.type));
  return byType ? byType[0] : null;
}

/** The file picker's `accept` for the kinds a site takes ('' when it takes anything). */
export const accept = (kinds: string[]): string =>
  kinds.includes('other') ? '' : kinds.flatMap((k) => listed(k).map((e) => '.' + e)).join(',');

/**
 * Why a site with `limits` would refuse `file`, before any byte is sent (the
 * server's codes: docs/protocol.md, "Files"), or null: send it, the server decides.
 */
export function refusal(file: { name: string; type: string; size: number }, limits: FileLimits | undefined): string | null {
  const kind = kindOf(file);
  return !limits || !limits.max_bytes ? 'uploads_disabled'
    : file.size > limits.max_bytes ? 'file_too_large'
    : !file.size ? 'file_empty'
    : kind && !limits.types.includes(kind) ? 'type_not_allowed'
    : null;
}
