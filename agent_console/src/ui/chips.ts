/**
 * A tag as a chip: its site's colour behind, the text colour that reads on it
 * (tags.ts `textOn`, at least 4.5:1), the name as text in its own bidi isolate.
 * Colours go in through the CSSOM (`style.setProperty`), which the console's
 * CSP allows, never as a style attribute.
 */
import { h, iso } from '../dom';
import type { Tag } from '../protocol';
import { textOn } from '../tags';

export function tagChip(tag: Tag, ...extra: HTMLElement[]): HTMLElement {
  const chip = h('span', { class: 'tag-chip', 'data-tag': tag.id }, iso(tag.name), ...extra);
  paint(chip, tag.color);
  return chip;
}

export function paint(el: HTMLElement, color: string): void {
  el.style.setProperty('background-color', color);
  el.style.setProperty('color', textOn(color));
}

/** A list row's chips (none: nothing drawn). */
export function rowChips(tags: Tag[]): HTMLElement | null {
  return tags.length ? h('span', { class: 'row-tags' }, ...tags.map((tag) => tagChip(tag))) : null;
}
