/**
 * Loading a site's figures for a range: the page's one request. The server
 * checks who may read them (owners and admins of the site) and the range.
 */
import type { Report, ReportsStore } from '../reports_store';
import { rt } from '../ui/reports_text';

/** A refusal as the reader should read it: the codes a person can meet, in their language. */
function worded(error: { code: string; message: string }): string {
  switch (error.code) {
    case 'session_ended': return rt('sessionEnded');
    case 'invalid': return rt('badRange');
    case 'forbidden': return rt('forbidden');
    default: return rt('failed', { reason: error.message });
  }
}

export async function loadReport(store: ReportsStore, url: string, from: string, to: string): Promise<void> {
  store.status = 'loading';
  store.changed();
  const query = new URLSearchParams({ from, to });
  try {
    const res = await fetch(`${url}?${query}`, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    const body = await res.json() as Report | { error: { code: string; message: string } };
    if ('error' in body) {
      store.status = 'failed';
      store.error = worded(body.error);
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
