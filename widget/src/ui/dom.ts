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
