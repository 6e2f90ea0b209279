/**
 * Entry of the Portuguese strings chunk (pt-<hash>.js): fetched by the loader
 * beside the UI chunk only for a Portuguese-speaking visitor (src/i18n.ts says why).
 */
import type { UIScript } from '../contract';
import { ptBR } from '../i18n';

const script = document.currentScript as UIScript | null;
if (script && script.papo) script.papo(ptBR);
