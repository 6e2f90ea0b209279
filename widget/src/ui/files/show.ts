/**
 * Files in a message row: an image as its thumbnail (at most 220 px a side,
 * its box sized before it loads, so the list does not jump), a link to the
 * full image; anything else as a chip with its name, kind and size ("PDF ·
 * 12 kB") that downloads it (the server sends it as an attachment, never as a
 * page). Links are made absolute against Papo's base URL. An upload not sent
 * yet has no link: its chip is text.
 */
import type { Attachment, Upload } from '../../client/protocol';
import { h, iso } from '../dom';
import { size } from './words';

const THUMB = 220;

export function showFiles(el: HTMLElement, list: Array<Attachment | Upload>, base: string, locale: string): void {
  const abs = (u: string | null | undefined) => (u ? new URL(u, base).href : '');
  const link = (href: string, cls: string, ...kids: Array<Node | string>) =>
    href ? h('a', { class: cls, href, target: '_blank', rel: 'noopener noreferrer' }, ...kids) : h('span', { class: cls }, ...kids);
  el.replaceChildren(
    ...list.map((f) => {
      const a = f as Partial<Attachment>;
      const thumb = abs(a.thumb_url);
      if (thumb && f.width && f.height) {
        const scale = Math.min(1, THUMB / f.width, THUMB / f.height);
        return link(abs(a.url), 'im', h('img', {
          src: thumb, alt: f.name, loading: 'lazy',
          width: String(Math.round(f.width * scale)), height: String(Math.round(f.height * scale)),
        }));
      }
      // Its kind as people name it: the extension ("PDF"), else the type's second half.
      const kind = (/\.(\w{1,8})$/.exec(f.name) || ['', f.type.split('/')[1] || ''])[1].toUpperCase();
      return link(abs(a.url), 'fc', iso(f.name), h('small', {}, kind + ' · ' + size(f.size, locale)));
    }),
  );
}
