/**
 * The one way the UI makes DOM: elements with attributes, children appended
 * as nodes or as *text*. There is no path from data to HTML parsing.
 */
type Kid = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | boolean | undefined> = {},
  ...kids: Kid[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const name in attrs) {
    const v = attrs[name];
    if (v === true) el.setAttribute(name, '');
    else if (typeof v === 'string') el.setAttribute(name, v);
  }
  for (const kid of kids) if (kid) el.append(kid);
  return el;
}

/**
 * Invisible bidi controls: embeddings and overrides (U+202A–202E), isolates
 * (U+2066–2069) and marks (LRM, RLM, ALM). In a short identity string they
 * only ever serve to make one text pose as another ("\u202Eexe.live" shows
 * as "evil.exe"), so names and emails lose them on display (the server drops
 * them when it stores them too; docs/security.md, promise 6).
 */
const CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
export const clean = (s: string): string => s.replace(CONTROLS, '');

/**
 * A name or an email from someone else, in a `<bdi>`: its own bidi isolate
 * with its direction from its first strong letter, so neither a right-to-left
 * name nor anything inside it can reorder the sentence around it.
 */
export const iso = (s: string): HTMLElement => h('bdi', {}, clean(s));

/**
 * A translated sentence filled with user values, each isolated:
 * `sentence(t('typing'), { name })` for "{name} is typing…".
 */
export const sentence = (template: string, vars: Record<string, string>): Array<string | HTMLElement> =>
  template.split(/\{(\w+)\}/).map((s, i) => (i % 2 ? iso(vars[s] || '') : s));

/**
 * addEventListener whose handler can never surface as an uncaught error in
 * the host page (its error tracker would blame the site for our bug).
 */
export function on(target: EventTarget, type: string, fn: (e: any) => unknown): void {
  target.addEventListener(type, (e) => {
    try {
      fn(e);
    } catch (err) {
      console.warn('Papo:', err);
    }
  });
}
