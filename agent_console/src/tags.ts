/**
 * Tags' colours: a site picks any `#rrggbb`, the console picks the text that
 * reads on it (black or white, whichever contrasts more: the better of the two
 * is always at least 4.58:1, above WCAG AA's 4.5:1 for normal text). No DOM.
 */
import type { Tag } from './wire';

export type { Tag };

/** A few colours to start from (each reads with black or white text, like any). */
export const PALETTE = ['#0055aa', '#1a7f37', '#bf3989', '#d4a72c', '#8250df', '#cf222e', '#57606a', '#54aeff'];

/** WCAG relative luminance of `#rrggbb`. */
export function luminance(hex: string): number {
  const n = parseInt(hex.slice(1), 16);
  const channel = (c: number) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel((n >> 16) & 255) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
}

export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** The text colour for a chip of colour `bg`. */
export function textOn(bg: string): '#000000' | '#ffffff' {
  return contrast(bg, '#000000') >= contrast(bg, '#ffffff') ? '#000000' : '#ffffff';
}

/** The tags of a conversation that the console knows (a deleted one is gone), in the server's order. */
export function tagsOf(ids: number[] | undefined, known: Map<number, Tag>): Tag[] {
  return (ids || []).map((id) => known.get(id)).filter((x): x is Tag => !!x);
}

/** A site's tags, by name. */
export function siteTags(known: Map<number, Tag>, site: string): Tag[] {
  return [...known.values()].filter((x) => x.site === site).sort((a, b) => a.name.localeCompare(b.name));
}

/** The `tags` frame: a site's whole set, replacing what was held. */
export function replaceSite(known: Map<number, Tag>, site: string, tags: Tag[]): void {
  for (const [id, tag] of known) if (tag.site === site) known.delete(id);
  for (const tag of tags) known.set(tag.id, tag);
}
