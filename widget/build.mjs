// Builds the widget into widget/dist/papo/ (Django serves it as /static/papo/):
//   ui-<hash>.js  the chat UI chunk, content-hashed so it can be cached for a year
//   widget.js     the loader the script tag names (stable URL), which knows the
//                 UI chunk's name because it is injected here at build time.
// Then checks the gzipped size budget and exits non-zero when over it.
import { build } from 'esbuild';
import { readdirSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'dist', 'papo');
// Budgets in bytes of gzip (KB = 1000 bytes, the stricter reading).
export const LOADER_BUDGET = 5_000;
export const TOTAL_BUDGET = 15_000;
// The chunk fetched on first use (ui/later.ts), on its own: what a visitor with a
// conversation may need later (the queue, the hours, mailing the chat, a link from
// a mail), in all three languages. Fetched after the panel opens, never on page load.
export const LATER_BUDGET = 2_500;
// The files chunk (ui/files/), on its own: fetched when the panel opens on a site that
// takes files. Its words in all three languages are a quarter of it.
export const FILES_BUDGET = 5_000;

const common = {
  bundle: true,
  minify: true,
  sourcemap: 'linked',
  format: 'iife',
  target: ['es2020', 'chrome87', 'firefox78', 'safari15'],
  legalComments: 'none',
  logLevel: 'warning',
};

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// Chunks are built leaf first: each one's name is injected into the chunk that loads it.
const chunk = async (entry, name, define = {}) => {
  const r = await build({ ...common, entryPoints: [join(here, entry)], outdir: out, entryNames: name + '-[hash]', metafile: true, define });
  return basename(Object.keys(r.metafile.outputs).find((f) => f.endsWith('.js')));
};
// The card of an ended chat (rating included), loaded the first time a chat ends.
const endedFile = await chunk('src/ui/ended/index.ts', 'end');
// What the UI fetches only when it is needed (the queue, business hours): ui/later.ts.
const laterFile = await chunk('src/ui/later.ts', 'later');
// Sending and showing files (ui/files/): loaded when the panel opens on a site that takes them.
const filesFile = await chunk('src/ui/files/index.ts', 'files');
const uiFile = await chunk('src/ui/index.ts', 'ui', {
  __PAPO_ENDED__: JSON.stringify(endedFile), __PAPO_LATER__: JSON.stringify(laterFile),
  __PAPO_FILES__: JSON.stringify(filesFile) });
// Each language but English, fetched beside the UI chunk only for a visitor who
// reads it (src/i18n.ts says why).
const esFile = await chunk('src/ui/es.ts', 'es');
const ptFile = await chunk('src/ui/pt.ts', 'pt');

await build({
  ...common,
  entryPoints: [join(here, 'src/loader.ts')],
  outfile: join(out, 'widget.js'),
  define: { __PAPO_UI__: JSON.stringify(uiFile), __PAPO_ES__: JSON.stringify(esFile),
            __PAPO_PT__: JSON.stringify(ptFile) },
});

const gz = (f) => gzipSync(readFileSync(join(out, f)), { level: 9 }).length;
const loader = gz('widget.js');
const uiSize = gz(uiFile);
const total = loader + uiSize;
const line = (name, n, budget) =>
  `  ${name.padEnd(24)} ${String(n).padStart(6)} B gzip` + (budget ? `  (budget ${budget} B)` : '');
console.log(`widget built in ${out}`);
console.log(line('widget.js (loader)', loader, LOADER_BUDGET));
console.log(line(uiFile, uiSize));
console.log(line('loader + UI', total, TOTAL_BUDGET));
console.log(line(endedFile, gz(endedFile)) + '  (lazy: the first time a chat ends)');
const language = Math.max(gz(esFile), gz(ptFile));
console.log(line(`${ptFile} (Portuguese)`, gz(ptFile)));
console.log(line(`${esFile} (Spanish)`, gz(esFile)));
console.log(line('loader + UI + a language', total + language, TOTAL_BUDGET));
const lazy = gz(laterFile);
console.log(line(laterFile + ' (on first use)', lazy, LATER_BUDGET));
const filesSize = gz(filesFile);
console.log(line(filesFile + ' (files)', filesSize, FILES_BUDGET));
console.log('  files: ' + readdirSync(out).join(', '));

const over = [];
if (loader > LOADER_BUDGET) over.push(`loader ${loader} B > ${LOADER_BUDGET} B`);
if (total > TOTAL_BUDGET) over.push(`loader + UI ${total} B > ${TOTAL_BUDGET} B`);
// A visitor who reads another language loads its strings too: the budget holds for them as well.
if (total + language > TOTAL_BUDGET) over.push(`loader + UI + a language ${total + language} B > ${TOTAL_BUDGET} B`);
if (lazy > LATER_BUDGET) over.push(`${laterFile} ${lazy} B > ${LATER_BUDGET} B`);
if (filesSize > FILES_BUDGET) over.push(`${filesFile} ${filesSize} B > ${FILES_BUDGET} B`);
if (over.length) {
  console.error('size budget exceeded: ' + over.join('; '));
  process.exit(1);
}
