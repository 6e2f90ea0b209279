// Compiles the console's unit tests (TypeScript) with esbuild and runs them with
// node's own test runner. No DOM, no network: the socket client runs against a
// fake WebSocket and fake timers (fakes.ts).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', '..', 'dist', 'unit-tests');
const tests = readdirSync(here).filter((f) => f.endsWith('.test.ts'));

rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: tests.map((f) => join(here, f)),
  outdir: out,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'inline',
  outExtension: { '.js': '.mjs' },
  logLevel: 'warning',
});
const files = tests.map((f) => join(out, f.replace(/\.ts$/, '.mjs')));
const run = spawnSync(process.execPath, ['--no-warnings', '--enable-source-maps', '--test', ...files], {
  stdio: 'inherit',
});
process.exit(run.status ?? 1);
