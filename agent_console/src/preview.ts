/**
 * A list row's last line, saying who said what: "Rita: Where is my order?",
 * "You: On its way", "Note · Ana: refund approved", or a system event in
 * words with its names ("Ana took the conversation"); a message of files
 * alone by its files ("Rita: File · invoice.pdf").
 */
import { systemText } from './format';
import { t } from './i18n';
import { visitorName } from './names';
import type { Conversation } from './protocol';

export interface Preview {
  /** Who wrote it ('' for system events, whose sentence names them). */
  who: string;
  /** `who` is the agent reading: "You", not a name to isolate. */
  mine: boolean;
  note: boolean;
  /** The words: someone's message (`body`) or the console's sentence. */
  text: string;
  body: boolean;
}

export function preview(c: Conversation, me: number): Preview | null {
  const last = c.last_message;
  if (!last) return null;
  if (last.author === 'system') {
    const data: Record<string, string> = { ...(last.data || {}) };
    if (last.event === 'rated' && c.rating && !data.score) data.score = String(c.rating.score);
    if (last.event === 'ended') data.by = visitorName(c.visitor); // the visitor, as named everywhere else
    const text = systemText({ event: last.event || '', data }).replace(/\?/g, '').trim();
    return { who: '', mine: false, note: false, text, body: false };
  }
  const mine = last.author === 'agent' && last.agent?.id === me;
  const who = last.author === 'visitor' ? visitorName(c.visitor) : mine ? t('youSaid') : last.agent?.name || t('assignee');
  const text = last.body || filesLine(last.files);
  return { who, mine, note: last.internal, text, body: true };
}

/** A files-only message in a line: "Photo · image.png", "File · invoice.pdf", "3 files" ('' without files). */
export function filesLine(files: Array<{ name: string; type: string }> | undefined): string {
  if (!files || !files.length) return '';
  if (files.length > 1) return t('filesSent', { n: files.length });
  return t(files[0].type.startsWith('image/') ? 'photoSent' : 'fileSent', { name: files[0].name });
}
