// Builds the Node-side bundles with esbuild. The renderer is built by Vite (vite.config.ts).
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  // Native and runtime-provided modules stay outside the bundle.
  external: ['better-sqlite3', 'electron'],
};

await Promise.all([
  build({
    ...common,
    format: 'esm',
    entryPoints: {
      carechain: 'main/cli/carechain.ts',
      service: 'main/service/utility-entry.ts',
      // The check pool's worker threads (main/platform/check-pool.ts), loaded beside the others.
      'check-worker': 'main/platform/check-worker.ts',
    },
    outdir: 'out/node',
    outExtension: { '.js': '.mjs' },
    banner: {
      // Bundled CommonJS dependencies (commander, ws) call require(); give ESM output one.
      js: "import { createRequire as __cjsRequire } from 'node:module'; const require = __cjsRequire(import.meta.url);",
    },
  }),
  build({
    ...common,
    format: 'cjs',
    entryPoints: { main: 'main/electron/main.ts', preload: 'main/electron/preload.ts' },
    outdir: 'out/electron',
    outExtension: { '.js': '.cjs' },
  }),
]);
