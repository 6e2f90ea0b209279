/**
 * Loading a site's figures for a range: the page's one request. The server
 * checks who may read them (owners and admins of the site) and the range.
 */
import type { Report, ReportsStore } from '../reports_store';
import { rt } from '../ui/reports_text';

export async function loadReport(store: ReportsStore, url: string, from: string, to: string): Promise<void> {
  store.status = 'loading';
  store.changed();
  const query = new URLSearchParams({ from, to });
  try {
    const res = await fetch(`${url}?${query}`, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    const body = await res.json() as Report | { error: { code: string; message: string } };
    if ('error' in body) {
      store.status = 'failed';
      store.error = body.error.code === 'session_ended' ? rt('sessionEnded') : rt('failed', { reason: body.error.message });
    } else {
      store.status = 'ready';
      store.report = body;
    }
  } catch (e) {
    store.status = 'failed';
    store.error = rt('failed', { reason: e instanceof Error ? e.message : String(e) });
  }
  store.changed();
}
