/** The console's entry: read the page's data attributes, start the app. */
import { setLanguage } from './i18n';
import { ConsoleApp } from './ui/app';

function start(): void {
  const root = document.getElementById('app');
  if (!root) return;
  setLanguage(document.documentElement.lang || navigator.language);
  const body = document.body.dataset;
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  const url = `${scheme}//${window.location.host}${body.wsPath || '/ws/console/'}`;
  const app = new ConsoleApp(root, url, body.loginUrl || '/console/login/');
  (window as unknown as { papoConsole?: ConsoleApp }).papoConsole = app;
  app.start();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
