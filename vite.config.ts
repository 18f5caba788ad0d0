import { defineConfig } from 'vite';

export default defineConfig({
  root: 'renderer',
  base: './',
  build: {
    outDir: '../out/renderer',
    emptyOutDir: true,
    sourcemap: true,
    // The console loads from local disk (the app protocol, or loopback in browser mode), never
    // over a network, and its one chunk carries the ledger's Unicode tables (about 155 kB) so that
    // names and reasons are checked where they are typed. 500 kB is a web-page budget.
    chunkSizeWarningLimit: 800,
  },
});
