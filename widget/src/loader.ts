/**
 * widget.js — the file a site's script tag names.
 *
 * It draws the launcher inside a Shadow DOM and installs `window.Papo`, and
 * nothing more until the visitor shows intent (hover, focus or click on the
 * launcher, `Papo.open()`) or a previous page left a conversation going: only
 * then does it load the chat UI chunk, which opens the WebSocket. A visitor
 * who never touches the chat costs the server nothing. In consent-free mode
 * (`data-consent-free`) only a click counts, and until then nothing is read
 * from or written to the browser's storage (docs/privacy.md).
 *
 * A page the site does not allow (or an unknown site key) is told so by the
 * config request: the launcher goes away and the console gets one line
 * saying what to change where; the verdict is remembered, so later pages
 * start hidden and only ask again.
 *
 * Host pages are hostile territory: every entry point is wrapped so nothing
 * throws into the page, and the host element is styled inline with
 * !important, which beats any page stylesheet rule.
 */
import type { Config } from './client/protocol';
import { browserKV, keys, ongoing, readJSON } from './client/storage';
import type { Ctx, Identity, Mount, UI, UIScript } from './contract';
import { LAUNCHER_LABEL, pickLocale, type Strings } from './i18n';
import { ink, isColor } from './theme';

/** File names of the UI chunk and of the language chunks (content-hashed), set by build.mjs. */
declare const __PAPO_UI__: string;
declare const __PAPO_ES__: string;
declare const __PAPO_PT__: string;

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

// .r is the visual viewport (see fit()), and the containing block of the
// fixed launcher and panel; it takes no clicks, they do.
const LAUNCHER_CSS =
  '.r{all:initial;position:fixed;top:0;left:0;pointer-events:none;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1a1a1a}' +
  '.r *{box-sizing:border-box}button,input,textarea{font:inherit}[hidden]{display:none!important}' +
  '.l{position:fixed;bottom:20px;right:20px;width:56px;height:56px;margin:0;padding:0;border:0;border-radius:50%;' +
  'background:var(--c);color:var(--i);cursor:pointer;pointer-events:auto;box-shadow:0 4px 14px rgba(0,0,0,.3);display:flex;align-items:center;justify-content:center}' +
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
  const data = script.dataset;
  const free = data.consentFree != null && data.consentFree !== 'false';
  const k = keys(key);
  const kv = browserKV(free);
  const cached = readJSON<Partial<Config> & { refused?: string }>(kv, k.config) || {};
  const lang = pickLocale(data.locale, navigator.languages || [navigator.language], cached.locale);

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
  launcher.setAttribute('aria-label', data.label || LAUNCHER_LABEL[lang]);
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
  /** The verdict that hides the widget ('origin_not_allowed', 'unknown_site'), or ''. */
  let refused = cached.refused || '';
  let asked: Promise<Partial<Config> | null> | null = null;
  const show = (on: boolean) => host.style.setProperty('display', on ? 'block' : 'none', 'important');
  const page = location.origin;
  let told = false;
  /** The one console line a refused page gets: what to change, where. */
  const explain = (code: string) => {
    if (!told)
      warn(
        code === 'unknown_site'
          ? `unknown site key ${key} (on ${page}): copy the embed snippet from the Papo console, ${src.origin}/console/`
          : `${page} may not use site key ${key}: add ${page} to the site's allowed origins in the Papo console, ${src.origin}/console/`,
      );
    told = true;
  };
  const ctx: Ctx = {
    key,
    base: src.origin,
    lang,
    label: data.label,
    free,
    kv,
    root,
    box,
    launcher,
    badge,
    emit: (type, arg) => (handlers[type] || []).forEach((fn) => safe(fn)(arg)),
    config: () =>
      (asked ||= fetch(src.origin + '/api/widget/' + encodeURIComponent(key) + '/config', { credentials: 'omit' })
        .then((r) => r.json())
        .then((c) => {
          if (c.error === 'origin_not_allowed' || c.error === 'unknown_site') {
            explain(c.error);
            refused = c.error;
            show(false);
            if (!free) ctx.kv.set(k.config, JSON.stringify({ refused }));
            const u = ui;
            ui = null;
            if (u) u.then((x) => x && x.shutdown());
            return null;
          }
          if (c.error) throw 0; // rate limited: not a verdict on this page
          if (refused) {
            refused = '';
            ctx.kv.del(k.config);
            show(true);
          }
          return c;
        })
        .catch(() => {
          asked = null;
          // Refused on an earlier page and unreachable now: the last word holds.
          if (refused) explain(refused);
          else warn('cannot reach the chat server at', src.origin);
          return null;
        })),
    theme(cfg) {
      const color = isColor(cfg.color) ? cfg.color : isColor(data.color) ? data.color : '#1f6feb';
      box.style.setProperty('--c', color);
      box.style.setProperty('--i', ink(color));
      box.classList.toggle('left', (cfg.position || data.position) === 'left');
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

  // The launcher and the panel live in the visual viewport: on a page wider
  // than a phone's screen, the layout viewport (what position:fixed is
  // relative to) reaches far off screen, and so would they.
  const vv = window.visualViewport;
  const fit = safe(() => {
    const w = vv ? vv.width : innerWidth;
    if (vv) {
      box.style.width = w + 'px';
      box.style.height = vv.height + 'px';
      box.style.transform = `translate(${vv.offsetLeft}px,${vv.offsetTop}px)`;
    }
    box.classList.toggle('n', w <= 480); // a phone: the open panel takes the whole screen
  });
  fit();
  for (const ev of ['resize', 'scroll']) (vv || window).addEventListener(ev, fit, { passive: true });

  let ui: Promise<UI | null> | null = null;
  let dead = false;
  /** What a chunk hands the callback on its <script> element; null if it cannot be had. */
  const chunk = (file: string | false) =>
    new Promise<any>((resolve) => {
      if (!file) return resolve(0);
      const s: UIScript = document.createElement('script');
      s.src = new URL(file, src).href;
      s.async = true;
      if (script.nonce) s.nonce = script.nonce;
      s.papo = resolve;
      s.onerror = () => resolve(null);
      s.onload = () => s.remove();
      document.head.append(s);
    });
  /** Loads the UI chunk (and the visitor's language) once; a failed load may be retried on the next intent. */
  const load = (): Promise<UI | null> =>
    refused
      ? Promise.resolve(null)
      : (ui ||= Promise.all([chunk(__PAPO_UI__), chunk(lang === 'es' ? __PAPO_ES__ : lang === 'pt-BR' && __PAPO_PT__)])
          .then(([mount, strings]: [Mount | null, Strings | 0 | null]) => {
            if (mount && strings !== null) {
              ctx.strings = strings || undefined;
              return dead ? null : mount(ctx);
            }
            ui = null;
            warn('cannot reach the chat server at', ctx.base);
            return null;
          })
          .catch((e) => (warn(e), null)));
  const withUI = (fn: (u: UI) => void) => load().then((u) => u && safe(fn)(u));

  /** Consent-free mode: the visitor's click (or the page's `Papo.open()`) lets the chat use storage. */
  let consented = !free;
  const consent = () => {
    if (!consented) {
      consented = true;
      ctx.kv = browserKV();
    }
  };
  const intent = safe(() => void load());
  if (!free) for (const ev of ['pointerenter', 'focus', 'touchstart']) launcher.addEventListener(ev, intent, { passive: true });
  launcher.addEventListener(
    'click',
    safe(() => {
      consent();
      void withUI((u) => u.toggle());
    }),
  );

  const api: Record<string, any> = {
    _v: 1,
    open: () => {
      consent();
      void withUI((u) => u.open());
    },
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
      const kv = browserKV(); // forgetting is the site's own request, consent-free or not
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
    if (refused) {
      // Refused on an earlier page: stay hidden, and ask whether that still holds.
      show(false);
      ctx.config();
    } else if (/[#&]papo-continue=/.test(location.hash)) {
      consent(); // a link from the visitor's own mail, followed: they asked to continue
      void withUI((u) => u.open());
    } else if (ongoing(ctx.kv, key)) load();
  });
  if (document.body) attach();
  else document.addEventListener('DOMContentLoaded', attach);
}
