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
    rolldownOptions: {
      // TanStack Router's modules start with "use client", a React Server Components marker that
      // means nothing in a client-only bundle; the twenty warnings it made buried the build's
      // output on every npm ci and npm start.
      checks: { moduleLevelDirective: false },
    },
  },
});
