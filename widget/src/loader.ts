/**
 * widget.js — the file a site's script tag names.
 *
 * It draws the launcher inside a Shadow DOM and installs `window.Papo`, and
 * nothing more until the visitor shows intent (hover, focus or click on the
 * launcher, `Papo.open()`) or a previous page left a conversation going: only
 * then does it load the chat UI chunk, which opens the WebSocket. A visitor
 * who never touches the chat costs the server nothing.
 *
 * Host pages are hostile territory: every entry point is wrapped so nothing
 * throws into the page, and the host element is styled inline with
 * !important, which beats any page stylesheet rule.
 */
import type { Config } from './client/protocol';
import { browserKV, keys, ongoing, readJSON } from './client/storage';
import type { Ctx, Identity, Mount, UI, UIScript } from './contract';
import { LAUNCHER_LABEL, pickLocale } from './i18n';
import { ink, isColor } from './theme';

/** File name of the UI chunk (content-hashed), set by build.mjs. */
declare const __PAPO_UI__: string;

type Fn = (...args: any[]) => unknown;

const warn = (...args: unknown[]) => {
  try {
    console.warn('Papo:', ...args);
  } catch {
    /* no console */
  }
};

/** Runs `fn`, reporting instead of throwing: the host page must never see our errors. */
function safe<F extends Fn>(fn: F): F {
  return ((...args: unknown[]) => {
    try {
      return fn(...args);
    } catch (e) {
      warn(e);
      return undefined;
    }
  }) as F;
}

const LAUNCHER_CSS =
  '.r{all:initial;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1a1a1a}' +
  '.r *{box-sizing:border-box}button,input,textarea{font:inherit}[hidden]{display:none!important}' +
  '.l{position:fixed;bottom:20px;right:20px;width:56px;height:56px;margin:0;padding:0;border:0;border-radius:50%;' +
  'background:var(--c);color:var(--i);cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.3);display:flex;align-items:center;justify-content:center}' +
  '.left .l{right:auto;left:20px}' +
  '.r :focus-visible{outline:3px solid var(--c);outline-offset:2px;box-shadow:0 0 0 2px #fff}' +
  '.l svg{width:28px;height:28px;fill:currentColor}' +
  '.b{position:absolute;top:-3px;right:-3px;min-width:20px;height:20px;padding:0 6px;border-radius:10px;' +
  'background:#b3261e;color:#fff;font-size:12px;font-weight:700;line-height:20px;text-align:center}';

// Chat bubble icon (static markup built node by node: no innerHTML anywhere).
const ICON = 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z';

safe(boot)();

function boot(): void {
  const w = window as unknown as { Papo?: { q?: [string, ArrayLike<unknown>][]; _v?: 1 } & Record<string, Fn> };
  if (w.Papo && w.Papo._v) return; // the tag was pasted twice
  const script = (document.currentScript ||
    document.querySelector('script[data-site-key][src*="widget"]')) as HTMLScriptElement | null;
  const key = script && script.dataset.siteKey;
  if (!script || !key) return warn('the script tag needs data-site-key');
  const src = new URL(script.src, location.href);
  const kv = browserKV();
  const cached = readJSON<Partial<Config>>(kv, keys(key).config) || {};
  const locale = pickLocale(script.dataset.locale, navigator.languages || [navigator.language], cached.locale);

  const host = document.createElement('papo-chat');
  host.style.cssText =
    'all:initial!important;display:block!important;position:fixed!important;top:0!important;left:0!important;' +
    'width:0!important;height:0!important;overflow:visible!important;z-index:2147483000!important';
  const root = host.attachShadow({ mode: 'open' });
  const box = document.createElement('div');
  box.className = 'r';
  const launcher = document.createElement('button');
  launcher.type = 'button';
  launcher.className = 'l';
  launcher.setAttribute('aria-label', LAUNCHER_LABEL[locale]);
  launcher.setAttribute('aria-expanded', 'false');
  launcher.setAttribute('aria-haspopup', 'dialog');
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  path.setAttribute('d', ICON);
  svg.append(path);
  const badge = document.createElement('span');
  badge.className = 'b';
  badge.hidden = true;
  badge.setAttribute('aria-hidden', 'true');
  launcher.append(svg, badge);
  box.append(launcher);
  root.append(box);

  const handlers: Record<string, Fn[]> = {};
  const ctx: Ctx = {
    key,
    base: src.origin,
    locale: script.dataset.locale,
    kv,
    root,
    box,
    launcher,
    badge,
    emit: (type, data) => (handlers[type] || []).forEach((fn) => safe(fn)(data)),
    theme(cfg) {
      const color = isColor(cfg.color) ? cfg.color : isColor(script.dataset.color) ? script.dataset.color : '#1f6feb';
      box.style.setProperty('--c', color);
      box.style.setProperty('--i', ink(color));
      box.classList.toggle('left', (cfg.position || script.dataset.position) === 'left');
      if (cfg.z_index) host.style.setProperty('z-index', String(cfg.z_index | 0), 'important');
    },
    style(css) {
      try {
        // Constructed sheets are not "inline styles" under a page's CSP.
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(css);
        root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
      } catch {
        const el = document.createElement('style');
        el.textContent = css;
        root.prepend(el);
      }
    },
  };
  ctx.style(LAUNCHER_CSS);
  ctx.theme(cached);

  let ui: Promise<UI | null> | null = null;
  let dead = false;
  /** Loads the UI chunk once; a failed load may be retried on the next intent. */
  const load = (): Promise<UI | null> =>
    (ui ||= new Promise((resolve) => {
      const s: UIScript = document.createElement('script');
      s.src = new URL(__PAPO_UI__, src).href;
      s.async = true;
      if (script.nonce) s.nonce = script.nonce;
      s.papo = (mount: Mount) => {
        let u: UI | null = null;
        try {
          if (!dead) u = mount(ctx);
        } catch (e) {
          warn(e);
        }
        resolve(u);
      };
      s.onerror = () => {
        ui = null;
        warn('cannot reach the chat server at', ctx.base);
        resolve(null);
      };
      s.onload = () => s.remove();
      document.head.append(s);
    }));
  const withUI = (fn: (u: UI) => void) => load().then((u) => u && safe(fn)(u));

  const intent = safe(() => void load());
  for (const ev of ['pointerenter', 'focus', 'touchstart']) launcher.addEventListener(ev, intent, { passive: true });
  launcher.addEventListener('click', safe(() => void withUI((u) => u.toggle())));

  const api: Record<string, any> = {
    _v: 1,
    open: () => void withUI((u) => u.open()),
    close: () => void (ui && withUI((u) => u.close())),
    identify(id: Identity) {
      if (!id || typeof id.userId !== 'string' || !id.userId) return warn('identify() needs a userId string');
      ctx.identity = { userId: id.userId, userHash: id.userHash, name: id.name, email: id.email };
      if (ui) withUI((u) => u.identify(ctx.identity!));
    },
    on(type: string, fn: Fn) {
      if (typeof fn === 'function') (handlers[type] ||= []).push(fn);
    },
    /** Logout: close the chat, forget this browser's visitor, remove the widget. */
    shutdown() {
      if (ui) withUI((u) => u.shutdown());
      dead = true;
      const k = keys(key);
      kv.del(k.session);
      kv.del(k.outbox);
      host.remove();
    },
  };
  for (const name in api) {
    const fn = api[name];
    if (typeof fn === 'function') api[name] = safe((...args: unknown[]) => (dead ? undefined : fn(...args)));
  }
  const queued = (w.Papo && w.Papo.q) || [];
  w.Papo = api;

  const attach = safe(() => {
    document.body.append(host);
    for (const [name, args] of queued) if (api[name]) api[name](...Array.from(args));
    if (ongoing(kv, key)) load();
  });
  if (document.body) attach();
  else document.addEventListener('DOMContentLoaded', attach);
}
