/**
 * Loads a lazy chunk of the UI (the ended-chat card) on first use. The UI
 * chunk notes its own <script> while it runs (the loader removes it once
 * loaded), so a sibling chunk comes from the same directory with the same CSP
 * nonce, and hands over its export the way the UI chunk does: through a
 * callback on its own <script> element, never a global name.
 */
import type { UIScript } from '../contract';

const me = document.currentScript as HTMLScriptElement | null;

export function lazy<T>(file: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const s: UIScript = document.createElement('script');
    s.src = new URL(file, me ? me.src : location.href).href;
    if (me && me.nonce) s.nonce = me.nonce;
    s.papo = resolve as unknown as UIScript['papo'];
    s.onerror = reject;
    s.onload = () => s.remove();
    document.head.append(s);
  });
}

/**
 * `lazy(file)` once, then `made` of what it handed over, kept; a failed load
 * (offline, say) is tried again on the next call.
 */
export function chunk<T, R>(file: string, made: (payload: T) => R): () => Promise<R> {
  let loading: Promise<R> | undefined;
  return () =>
    (loading ||= lazy<T>(file).then(made, (e) => {
      loading = undefined;
      throw e;
    }));
}
