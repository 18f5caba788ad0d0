import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import type { KeyPair } from '../../shared/ledger/keys';
import { REPO } from './cli';

/*
 * The transport-peer script bundled the way scripts/build.mjs bundles the node service (ESM,
 * platform node, target node20, the require() banner), and that bundle run by plain Node in a
 * child process.
 */

let bundled: Promise<string> | undefined;

export function bundlePeerScript(): Promise<string> {
  bundled ??= (async () => {
    const outfile = path.join(mkdtempSync(path.join(tmpdir(), 'carechain-peer-')), 'peer.mjs');
    await build({
      entryPoints: [path.join(REPO, 'test', 'support', 'transport-peer.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      logLevel: 'warning',
      external: ['better-sqlite3', 'electron'],
      banner: {
        js: "import { createRequire as __cjsRequire } from 'node:module'; const require = __cjsRequire(import.meta.url);",
      },
    });
    return outfile;
  })();
  return bundled;
}

export interface PeerLine {
  event: string;
  key?: string;
  reason?: string;
  addresses?: string[];
  [field: string]: unknown;
}

/** A transport in a child process: its JSON lines as they come, and a way to command it. */
export class PeerProcess {
  readonly lines: PeerLine[] = [];
  stderr = '';
  private readonly waiting = new Set<() => void>();
  readonly exited: Promise<void>;

  private constructor(readonly child: ChildProcess) {
    let partial = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      partial += chunk.toString();
      const complete = partial.split('\n');
      partial = complete.pop() ?? '';
      for (const line of complete) if (line) this.lines.push(JSON.parse(line) as PeerLine);
      this.waiting.forEach((check) => check());
    });
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    child.stdin?.on('error', () => undefined);
    this.exited = new Promise((resolve) => child.on('close', () => resolve()));
  }

  static async start(config: {
    nodeKey: KeyPair;
    chainId: string;
    genesisHash: string;
  }): Promise<PeerProcess> {
    const script = await bundlePeerScript();
    const child = spawn(process.execPath, [script], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, TRANSPORT_PEER_CONFIG: JSON.stringify(config) },
    });
    return new PeerProcess(child);
  }

  command(command: object): void {
    this.child.stdin?.write(`${JSON.stringify(command)}\n`);
  }

  waitFor(match: (line: PeerLine) => boolean, timeoutMs = 10_000): Promise<PeerLine> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(check);
        reject(
          new Error(
            `peer process: timed out; lines ${JSON.stringify(this.lines)}; stderr ${this.stderr}`,
          ),
        );
      }, timeoutMs);
      const check = () => {
        const line = this.lines.find(match);
        if (!line) return;
        clearTimeout(timer);
        this.waiting.delete(check);
        resolve(line);
      };
      this.waiting.add(check);
      check();
    });
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}
