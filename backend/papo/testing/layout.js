// Layout check for the browser suites (layout.py): what overflows its box, as a
// list of {element, by, what}. Runs in the page; `root` is a CSS selector or null
// (matched in the page or in an open shadow root: ".p" is the widget's panel).
(root) => {
  const out = [];
  const name = (el) => el.localName + (el.id ? '#' + el.id : '') +
    (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '');
  const path = (el) => { const p = []; for (let e = el; e && e !== document.body && p.length < 4; e = e.parentElement) p.unshift(name(e)); return p.join(' > '); };
  const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  // Every element under `node`, into open shadow roots too (the widget lives in one).
  const all = (node) => {
    const found = [];
    for (const el of node.querySelectorAll('*')) {
      found.push(el);
      if (el.shadowRoot) found.push(...all(el.shadowRoot));
    }
    return found;
  };
  const start = root ? [document, ...all(document).filter((el) => el.shadowRoot).map((el) => el.shadowRoot)]
    .map((scope) => scope.querySelector(root)).find(Boolean) : document.body;
  if (!start) throw new Error(`layout check: nothing matches ${root}`);
  for (const el of all(start)) {
    if (!shown(el)) continue;
    const style = getComputedStyle(el);
    if (style.position === 'absolute' || style.position === 'fixed') continue;
    const parent = el.parentElement;
    if (parent && parent !== document.documentElement) {
      const ps = getComputedStyle(parent);
      // A box that scrolls, or that cuts its line off with an ellipsis (a list row's
      // preview: the inline text inside is meant to run under the "…"), holds it.
      const scrolls = ['auto', 'scroll'].includes(ps.overflowX) ||
        (['hidden', 'clip'].includes(ps.overflowX) && ps.textOverflow === 'ellipsis' && style.display === 'inline');
      const a = el.getBoundingClientRect(), b = parent.getBoundingClientRect();
      const by = Math.max(b.left - a.left, a.right - b.right);
      if (!scrolls && a.width > 0 && by > 1) out.push({ element: path(el), by: Math.round(by), what: 'sticks out of its container' });
    }
    // Text wider than its box (a centred word spills out on both sides, which
    // scrollWidth does not see): each text of its own, against its box.
    if (style.display !== 'inline' && !['auto', 'scroll'].includes(style.overflowX) && style.textOverflow !== 'ellipsis') {
      const b = el.getBoundingClientRect();
      for (const n of el.childNodes) {
        if (n.nodeType !== Node.TEXT_NODE || !n.data.trim()) continue;
        const range = document.createRange();
        range.selectNodeContents(n);
        const a = range.getBoundingClientRect();
        const by = Math.max(b.left - a.left, a.right - b.right);
        if (a.width > 0 && by > 1) out.push({ element: path(el), by: Math.round(by), what: 'has text sticking out' });
      }
    }
    if (['hidden', 'clip'].includes(style.overflowX) && style.textOverflow !== 'ellipsis' &&
        el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0 && el.textContent.trim() &&
        !(el.clientWidth <= 1 && el.clientHeight <= 1)) {
      out.push({ element: path(el), by: el.scrollWidth - el.clientWidth, what: 'cuts its text off' });
    }
  }
  return out;
}
