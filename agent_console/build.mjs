// Builds the agent console into agent_console/dist/console/ (Django serves it as
// /static/console/): console.js (the app), pages.js (the settings page's copy
// button), reports.js (the Reports page, with uPlot), console.css and reports.css.
// Prints the gzipped sizes.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'dist', 'console');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

await build({
  // reports.js is a page of its own: the inbox (console.js) never loads the chart library
  entryPoints: {
    console: join(here, 'src/main.ts'),
    pages: join(here, 'src/pages.ts'),
    reports: join(here, 'src/reports_main.ts'),
  },
  outdir: out,
  bundle: true,
  minify: true,
  sourcemap: 'linked',
  format: 'iife',
  target: ['es2020', 'chrome90', 'firefox90', 'safari15'],
  legalComments: 'none',
  logLevel: 'warning',
});
copyFileSync(join(here, 'src/console.css'), join(out, 'console.css'));
// The reports' stylesheet: uPlot's own, then the page's.
const uplotCss = join(here, '..', 'node_modules', 'uplot', 'dist', 'uPlot.min.css');
writeFileSync(join(out, 'reports.css'),
  readFileSync(uplotCss, 'utf8') + '\n' + readFileSync(join(here, 'src/reports.css'), 'utf8'));

console.log(`console built in ${out}`);
for (const f of readdirSync(out).filter((f) => !f.endsWith('.map'))) {
  const gz = gzipSync(readFileSync(join(out, f)), { level: 9 }).length;
  console.log(`  ${f.padEnd(16)} ${String(gz).padStart(6)} B gzip`);
}
