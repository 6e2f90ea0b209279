/**
 * Entry of the Spanish strings chunk (es-<hash>.js). The loader fetches it
 * beside the UI chunk, only for a visitor whose language is Spanish, and
 * hands the table to the UI (`ctx.strings`); like ui/index.ts it answers the
 * callback the loader set on its <script> element. Why a chunk: src/i18n.ts.
 */
import type { UIScript } from '../contract';
import { es } from '../i18n';

const script = document.currentScript as UIScript | null;
if (script && script.papo) script.papo(es);
