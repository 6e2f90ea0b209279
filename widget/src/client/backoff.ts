/**
 * Reconnect delays: exponential with "equal jitter" — half the step is fixed,
 * half random — so thousands of widgets dropped by one server restart do not
 * come back in lockstep, yet none retries immediately in a tight loop.
 *
 * The agent console reconnects on the same schedule and imports it from here.
 */
export const BACKOFF_BASE_MS = 500;
export const BACKOFF_CAP_MS = 30_000;

export function backoff(attempt: number, random: () => number = Math.random): number {
  const step = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt));
  return Math.round(step / 2 + (step / 2) * random());
}
