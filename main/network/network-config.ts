import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { PublicKey } from '../../shared/ledger/schemas';
import { describeZod } from '../../shared/ledger/tx';

/** A node's network settings, `network.json` in its data folder (written by `carechain devnet`). */
export const NetworkConfig = z.strictObject({
  /** Where to listen, `host:port`; by default the port of this member's endpoint on all hosts. */
  listen: z
    .string()
    .regex(/^[0-9a-zA-Z.:[\]-]+:[0-9]{1,5}$/, 'listen is host:port')
    .optional(),
  /** Addresses to dial besides the members' endpoints on chain (an address book). */
  peers: z
    .array(
      z.strictObject({
        nodeKey: PublicKey,
        address: z.string().min(1).max(512),
      }),
    )
    .max(1000)
    .default([]),
  /**
   * Keys to catch up from before this node's replica knows them as members: the node that
   * invited this one (written by `carechain join`, docs/sync.md §9.5).
   */
  sources: z.array(PublicKey).max(16).optional(),
});
export type NetworkConfig = z.infer<typeof NetworkConfig>;

export const NETWORK_CONFIG_FILE = 'network.json';

export class NetworkConfigError extends Error {}

/** The data folder's network settings, or null if it has none. */
export function readNetworkConfig(dataDir: string): NetworkConfig | null {
  const file = path.join(dataDir, NETWORK_CONFIG_FILE);
  if (!existsSync(file)) return null;
  let raw: unknown;
  try {
    const text = readFileSync(file, 'utf8');
    if (text.length > 1024 * 1024) throw new Error('it is over 1 MiB');
    raw = JSON.parse(text);
  } catch (error) {
    throw new NetworkConfigError(`${file} cannot be read: ${(error as Error).message}`);
  }
  const parsed = NetworkConfig.safeParse(raw);
  if (!parsed.success) throw new NetworkConfigError(`${file}: ${describeZod(parsed.error)}`);
  return parsed.data;
}

/** `host:port` as the transport takes it; the port must be a real one (0 picks a free one). */
export function parseListen(text: string): { host: string; port: number } {
  const at = text.lastIndexOf(':');
  const host = text.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  const port = Number(text.slice(at + 1));
  if (at <= 0 || !host || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new NetworkConfigError(`"${text}" is not host:port with a port from 0 to 65535`);
  }
  return { host, port };
}
