/**
 * What the loader hands the UI chunk when it loads (types only). The loader
 * owns the page-facing parts — host element, launcher, `window.Papo` — so the
 * chat UI can stay out of the page until the visitor shows intent.
 */
import type { Config } from './client/protocol';
import type { KV } from './client/storage';

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
  /** `data-locale`, if the site owner set one. */
  locale?: string;
  kv: KV;
  root: ShadowRoot;
  /** Wrapper inside the shadow root that carries the theme; the panel goes in it. */
  box: HTMLElement;
  launcher: HTMLButtonElement;
  badge: HTMLElement;
  identity?: Identity;
  /** Calls the page's `Papo.on(type, fn)` handlers, shielded from their errors. */
  emit(type: string, data: unknown): void;
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

/** The loader puts this on the UI chunk's <script> element; the chunk calls it. */
export type Mount = (ctx: Ctx) => UI;
export interface UIScript extends HTMLScriptElement {
  papo?: (mount: Mount) => void;
}
