/**
 * Entry of the UI chunk (ui-<hash>.js). The loader set a callback on this
 * very <script> element; handing `mount` to it avoids any global name.
 */
import type { UIScript } from '../contract';
import { mount } from './app';

const script = document.currentScript as UIScript | null;
if (script && script.papo) script.papo(mount);
