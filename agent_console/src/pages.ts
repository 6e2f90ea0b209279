/**
 * Small behaviours of the server-rendered pages (no inline scripts): copy
 * buttons, and the install page's check refreshing itself.
 */
const POLL_MS = 2000;

function copyButtons(): void {
  for (const btn of Array.from(document.querySelectorAll<HTMLButtonElement>('button[data-copy]'))) {
    btn.addEventListener('click', async () => {
      const source = document.getElementById(btn.dataset.copy || '');
      if (!source) return;
      const text = source.textContent || '';
      const label = btn.textContent;
      try {
        await navigator.clipboard.writeText(text);
      } catch {
        const range = document.createRange();
        range.selectNodeContents(source);
        const sel = window.getSelection();
        sel?.removeAllRanges();
        sel?.addRange(range);
        document.execCommand('copy');
      }
      btn.textContent = btn.dataset.done || label;
      window.setTimeout(() => {
        btn.textContent = label;
      }, 1500);
    });
  }
}

/**
 * A page with `data-poll="<url>"` (the install page): every few seconds while
 * it is shown, fetch that URL (the server's own template of the page's live
 * parts, escaped there like the page itself) and put each of its
 * `[data-refresh][id]` elements in place of the page's element with that id,
 * when it changed. So the check turns green, and a refused page shows up with
 * its "Allow", without a click or a reload. A status that changed is also said
 * in the page's polite live region (`#check-news`). Nothing runs while the tab
 * is hidden, nor once a form on the page is being sent.
 */
function poll(): void {
  const url = document.querySelector<HTMLElement>('[data-poll]')?.dataset.poll;
  if (!url) return;
  let timer: number | undefined;
  let leaving = false;
  const next = () => {
    window.clearTimeout(timer);
    if (!leaving && !document.hidden) timer = window.setTimeout(() => void refresh(), POLL_MS);
  };
  const refresh = async () => {
    try {
      const res = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'text/html' }, cache: 'no-store' });
      if (res.ok && !res.redirected && !leaving) swap(await res.text());
    } catch {
      /* offline for a moment: the next round tries again */
    }
    next();
  };
  document.addEventListener('submit', () => {
    leaving = true;
    window.clearTimeout(timer);
  });
  document.addEventListener('visibilitychange', () => (document.hidden ? window.clearTimeout(timer) : void refresh()));
  next();
}

function swap(html: string): void {
  const fresh = new DOMParser().parseFromString(html, 'text/html');
  const before = statusText();
  for (const el of Array.from(fresh.querySelectorAll<HTMLElement>('[data-refresh][id]'))) {
    const old = document.getElementById(el.id);
    if (!old || old.outerHTML === el.outerHTML) continue;
    const focused = old.contains(document.activeElement) ? (document.activeElement as HTMLElement) : null;
    const replacement = document.importNode(el, true);
    old.replaceWith(replacement);
    if (focused) refocus(focused, replacement);
  }
  const after = statusText();
  const news = document.getElementById('check-news');
  if (news && after !== before) news.textContent = after;
}

function statusText(): string {
  return (document.querySelector('.check-status')?.textContent || '').trim();
}

/** Focus was in what was replaced: back on the same control, if it is still there. */
function refocus(was: HTMLElement, within: HTMLElement): void {
  const same = Array.from(within.querySelectorAll<HTMLElement>(was.localName))
    .find((el) => el.textContent === was.textContent && el.getAttribute('href') === was.getAttribute('href'));
  same?.focus();
}

function init(): void {
  copyButtons();
  poll();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
else init();
