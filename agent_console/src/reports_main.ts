/**
 * The Reports page's entry (reports.js, a bundle of its own: the inbox never
 * loads the chart library). The page (Django: console/site_reports.html) holds
 * the range form; this draws the figures of the range it shows.
 */
import { setLanguage } from './i18n';
import { loadReport } from './intents/reports';
import { ReportsStore } from './reports_store';
import { ReportsView } from './ui/reports';

function start(): void {
  const root = document.getElementById('report');
  const url = document.body.dataset.reportsUrl;
  if (!root || !url) return;
  setLanguage(document.documentElement.lang || navigator.language);
  const store = new ReportsStore();
  const view = new ReportsView(store, root);
  view.render();
  void loadReport(store, url, root.dataset.from || '', root.dataset.to || '');
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
