import { createServer } from 'node:net';

/** Where tests choose ports to listen on: below Linux's ephemeral range (32768 and up). */
const LOW = 20_000;
const HIGH = 32_768;
/** Slices of [LOW, HIGH), one a test worker. */
const SLICES = 4;

/**
 * The slice of this test worker (Vitest's pool id, Playwright's parallel index): two files that
 * run at once never choose from the same slice, so neither takes a port the other chose but has
 * not bound yet.
 */
function slice(): { from: number; size: number } {
  const worker = Number(process.env.VITEST_POOL_ID ?? process.env.TEST_PARALLEL_INDEX ?? 0);
  const size = Math.floor((HIGH - LOW) / SLICES);
  const index = Number.isInteger(worker) && worker >= 0 ? worker % SLICES : 0;
  return { from: LOW + index * size, size };
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * The first of `count` consecutive ports that nothing listens on, for nodes a test configures
 * before starting them (a node's port is written into genesis and network.json, so it cannot
 * be port 0). Chosen below the ephemeral range because there the system gives the local ports of
 * outgoing connections (a node dialling its peers, a fetch) to whoever connects next, and one of
 * those could take a node's port before the node listens on it.
 */
export async function freePorts(count: number): Promise<number> {
  const { from, size } = slice();
  if (count < 1 || count > size) throw new Error(`cannot choose ${count} ports in one block`);
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = from + Math.floor(Math.random() * (size - count + 1));
    let free = true;
    for (let port = base; port < base + count && free; port++) free = await bindable(port);
    if (free) return base;
  }
  throw new Error(`found no ${count} free consecutive ports in ${from}–${from + size - 1}`);
}
