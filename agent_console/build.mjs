// Builds the agent console into agent_console/dist/console/ (Django serves it as
// /static/console/): console.js (the app), pages.js (the settings page's copy
// button) and console.css. Prints the gzipped sizes.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'dist', 'console');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

await build({
  entryPoints: { console: join(here, 'src/main.ts'), pages: join(here, 'src/pages.ts') },
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

console.log(`console built in ${out}`);
for (const f of readdirSync(out).filter((f) => !f.endsWith('.map'))) {
  const gz = gzipSync(readFileSync(join(out, f)), { level: 9 }).length;
  console.log(`  ${f.padEnd(16)} ${String(gz).padStart(6)} B gzip`);
}
