/**
 * What the loader hands the UI chunk when it loads (types only). The loader
 * owns the page-facing parts — host element, launcher, `window.Papo` — so the
 * chat UI can stay out of the page until the visitor shows intent.
 */
import type { Config, Message } from './client/protocol';
import type { KV } from './client/storage';
import type { Locale, Strings } from './i18n';

/**
 * What `Papo.on(type, fn)` hands each handler (widget/README.md, "Events").
 * The UI raises them through `ctx.emit`; the page's handlers never see our errors.
 */
export interface Events {
  /** A new message shown live: the visitor's, an agent's or a system one. */
  message: Message;
  /** The panel opened / closed (by the visitor or by `Papo.open()`/`Papo.close()`). */
  open: undefined;
  close: undefined;
  /** Messages from the team the visitor has not seen yet, whenever that number changes. */
  unread: number;
  /** The conversation ended (an agent resolved it). */
  ended: { conversation: number };
  /** The visitor rated the conversation: `score` 1 (bad) to 5 (great), `comment` '' when none. */
  rating: { conversation: number; score: number; comment: string };
}

/** `Papo.identify()` argument, as the site owner writes it. */
export interface Identity {
  userId: string;
  userHash?: string;
  name?: string;
  email?: string;
}

export interface Ctx {
  /** Public site key (`data-site-key`). */
  key: string;
  /** Backend origin, from the loader's own script URL. */
  base: string;
  /** The visitor's language: `data-locale`, the browser's, the site default (cached), English. */
  lang: Locale;
  /** Its strings when they come in a chunk of their own (Spanish: i18n.ts). */
  strings?: Strings;
  /** `data-label`: the launcher's name instead of "Open chat". */
  label?: string;
  /** `data-consent-free`: nothing stored or fetched before the visitor's click, and no config cached after it. */
  free: boolean;
  /** Storage; in consent-free mode memory only until the visitor's click (the UI loads after it). */
  kv: KV;
  root: ShadowRoot;
  /** Wrapper inside the shadow root that carries the theme; the panel goes in it. */
  box: HTMLElement;
  launcher: HTMLButtonElement;
  badge: HTMLElement;
  identity?: Identity;
  /** Calls the page's `Papo.on(type, fn)` handlers, shielded from their errors. */
  emit<K extends keyof Events>(type: K, data?: Events[K]): void;
  /**
   * The site's config (GET /api/widget/<key>/config), asked once per page:
   * null when the server could not be reached. When the server refuses this
   * page (origin not allowed, unknown site key) the loader hides the widget,
   * says why in the console and shuts the UI down; this is null then too.
   */
  config(): Promise<Partial<Config> | null>;
  /** Applies colour, position and z-index from the site config. */
  theme(cfg: Partial<Config>): void;
  /** Adds a stylesheet to the shadow root. */
  style(css: string): void;
}

export interface UI {
  open(): void;
  close(): void;
  toggle(): void;
  identify(id: Identity): void;
  shutdown(): void;
}

/** The loader puts this on a chunk's <script> element; the chunk calls it with what it holds. */
export type Mount = (ctx: Ctx) => UI;
export interface UIScript extends HTMLScriptElement {
  papo?: (payload: Mount | Strings) => void;
}
