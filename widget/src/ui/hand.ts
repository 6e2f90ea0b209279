/**
 * The other side of ui/lazy.ts: a lazy chunk's entry hands what it holds to
 * whoever loaded it, through the callback put on the chunk's own <script>
 * (never a global name). Outside a page (the unit tests) it does nothing.
 */
import type { UIScript } from '../contract';

export function handOver(payload: unknown): void {
  const s = typeof document != 'undefined' ? (document.currentScript as UIScript | null) : null;
  if (s && s.papo) (s.papo as (p: unknown) => void)(payload);
}
