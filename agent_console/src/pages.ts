/** Small behaviours of the server-rendered pages (no inline scripts): copy buttons. */
function init(): void {
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

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
else init();
