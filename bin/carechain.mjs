#!/usr/bin/env node
// Entry of the `carechain` command: runs the bundle that `npm run build` makes.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const bundle = fileURLToPath(new URL('../out/node/carechain.mjs', import.meta.url));
if (!existsSync(bundle)) {
  console.error(
    'carechain: the CLI is not built yet; run `npm run build` in the repository first.',
  );
  process.exit(1);
}
await import(pathToFileURL(bundle).href);
