// Helpers for tests that damage a data folder from the outside, the way an attacker or a
// careless operator would: real demo folders made by the CLI, SQLite edited with the node stopped,
// the node service run in-process on the result.
import { expect, inject } from 'vitest';
import { cpSync, existsSync, renameSync } from 'node:fs';
import path from 'node:path';
import { startNodeService } from '../../main/service/node-service';
import type { NodeService } from '../../main/service/node-service-api';
import type { RpcResponse } from '../../shared/rpc/contract';
import { carechain, tempDir, type CliResult } from './cli';

export const DEMO_PASSPHRASE = 'carechain-demo';

/** A new demo data folder built by `carechain demo` (6 members, open join requests). */
export async function newDemoFolder(prefix = 'carechain-attack-'): Promise<string> {
  const dir = path.join(tempDir(prefix), 'node');
  const built = await carechain(['demo', '--dir', dir]);
  expect(built.code, built.stderr).toBe(0);
  return dir;
}

let template: Promise<string> | undefined;

/**
 * The run's demo template: built by the first test file that asks, then renamed into the
 * run's template folder (global-setup.ts) in one step, so another file sees either no template
 * or a whole one. Two files asking at once may both build; the second rename fails and that
 * file uses the first one's.
 */
async function runTemplate(): Promise<string> {
  const ready = path.join(inject('demoTemplateRoot'), 'node');
  if (existsSync(ready)) return ready;
  const built = await newDemoFolder('carechain-template-');
  try {
    renameSync(built, ready);
  } catch (error) {
    if (!existsSync(ready)) throw error;
  }
  return ready;
}

/**
 * The run's demo template, built if no file has yet. For a file's beforeAll: building it costs
 * seconds of CPU, tens of them on a loaded machine, which the first test to copy it would
 * otherwise spend of its own timeout.
 */
export function demoTemplate(): Promise<string> {
  template ??= runTemplate();
  return template;
}

/**
 * A demo data folder of its own for one test: a copy of one demo built once per run (a folder
 * as `carechain demo` left it, which no node has opened), which saves a CLI run per test and
 * per file. Every copy is the same chain (same genesis and keys).
 */
export async function demoFolder(prefix = 'carechain-attack-'): Promise<string> {
  const dir = path.join(tempDir(prefix), 'node');
  cpSync(await demoTemplate(), dir, { recursive: true });
  return dir;
}

export function verifyFolder(dir: string): Promise<CliResult> {
  return carechain(['verify', '--dir', dir], { timeoutMs: 180_000 });
}

/** The node service on a folder, in this process, with a typed `ok`. */
export class InProcessNode {
  private constructor(readonly service: NodeService) {}

  static async open(dir: string): Promise<InProcessNode> {
    return new InProcessNode(await startNodeService({ dataDir: dir }));
  }

  call(method: string, params: unknown = {}): Promise<RpcResponse> {
    return this.service.handle({ method, params });
  }

  async ok<T>(method: string, params: unknown = {}): Promise<T> {
    const response = await this.call(method, params);
    if (!response.ok)
      throw new Error(`${method}: ${response.error.code} ${response.error.message}`);
    return response.result as T;
  }

  close(): Promise<void> {
    return this.service.close();
  }
}

export interface StatusView {
  height: number;
  pendingTxs: number;
  replicaProblem: { height: number | null; reason: string } | null;
  writeBlocked: string | null;
}

export interface ProposalSummary {
  id: string;
  action: { type: string; member?: string };
  status: string;
}

/** The demo's open join request the console's vote alone does not decide. */
export const UNDECIDED_JOIN = 'apex-biologics';

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
