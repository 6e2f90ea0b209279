/**
 * Splits message text into plain runs and links. Only absolute http(s) URLs
 * become links (never javascript:, data: or anything else); the caller puts
 * every piece into the DOM as text.
 */
export type Piece = string | { href: string; text: string };

const URL_RE = /\bhttps?:\/\/[^\s<>"']+/gi;

export function linkify(text: string): Piece[] {
  const out: Piece[] = [];
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    // Trailing punctuation usually ends the sentence, not the URL.
    const raw = m[0].replace(/[.,;:!?)\]}]+$/, '');
    const start = m.index!;
    let href = '';
    try {
      const u = new URL(raw);
      if (u.protocol === 'http:' || u.protocol === 'https:') href = u.href;
    } catch {
      /* not a URL after all */
    }
    if (!href) continue;
    if (start > last) out.push(text.slice(last, start));
    out.push({ href, text: raw });
    last = start + raw.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}
