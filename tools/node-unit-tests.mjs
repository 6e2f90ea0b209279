// Compiles a folder of TypeScript unit tests (*.test.ts) with esbuild and runs
// them with node's own test runner: `node tools/node-unit-tests.mjs widget/tests/unit`.
// No network, no DOM: clients run against the fakes each folder keeps (fakes.ts).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const dir = resolve(process.argv[2] ?? '.');
const out = join(dir, '..', '..', 'dist', 'unit-tests');
const tests = readdirSync(dir).filter((f) => f.endsWith('.test.ts'));

rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: tests.map((f) => join(dir, f)),
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
const run = spawnSync(process.execPath, ['--no-warnings', '--enable-source-maps', '--test', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
});
process.exit(run.status ?? 1);
