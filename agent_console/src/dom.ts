/**
 * A tiny element builder. Text only ever goes in through text nodes
 * (textContent): nothing here parses HTML, so visitor-supplied strings can
 * never become markup or script.
 */
import { clean } from './format';
import type { Part } from './i18n';

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v as EventListener);
      else if (k === 'class') el.className = String(v);
      else if (k === 'value' && 'value' in el) (el as unknown as HTMLInputElement).value = String(v);
      else if (k === 'checked' && 'checked' in el) (el as unknown as HTMLInputElement).checked = !!v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/**
 * A name, an e-mail, a page title: in a `<bdi>` (its own bidi isolate, its
 * direction from its first strong letter) with the bidi controls taken out,
 * so it can neither reorder the UI text around it nor pose as another text.
 */
export function iso(text: string | null | undefined): HTMLElement {
  return h('bdi', null, clean(text));
}

/** A sentence from `tParts`/`systemParts` with each value isolated. */
export function sentence(parts: Part[]): Array<string | HTMLElement> {
  return parts.map((p) => (typeof p === 'string' ? p : iso(p.value)));
}

/**
 * Someone's message (a body, a canned response): `dir=auto`, and in CSS (`.ut`)
 * `unicode-bidi: plaintext`, so every line reads in its own direction (Arabic
 * and Hebrew right to left) and an override in it stays inside it. Its bidi
 * controls stay: they are part of what the person wrote.
 */
export function userText(tag: 'div' | 'span', cls: string, text: string): HTMLElement {
  return h(tag, { class: cls ? cls + ' ut' : 'ut', dir: 'auto' }, text);
}
