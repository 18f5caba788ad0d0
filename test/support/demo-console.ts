import { cpSync, existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { signTx, type TxBody } from '../../shared/ledger/tx';
import { methods, type MethodName, type Params, type Result } from '../../shared/rpc/contract';
import { ChainNode } from '../../main/service/chain-node';
import { dataPaths, type DataPaths } from '../../main/service/data-dir';
import { DEMO_PASSPHRASE } from '../../main/service/demo';
import { createHandlers } from '../../main/service/handlers';
import { readKeyFile, readProfile } from '../../main/service/keystore';
import type { ServiceError } from '../../main/service/service-error';
import { Session } from '../../main/service/session';
import { Replica } from '../../main/store/replica';
import { tempDir } from './cli';

/**
 * St Mary's (the demo console's own member) and five others: six of the demo's ten active
 * members, a majority that decides a proposal.
 */
export const DEMO_MAJORITY = [
  'st-marys-hospital',
  'northwind-pharma',
  'medline-distribution',
  'citycare-pharmacy',
  'meridian-generics',
  'atlas-health-logistics',
] as const;

/**
 * A console on a copy of a demo folder built once per test file (buildDemo into `template`):
 * the node service's own chain node, session and handlers, wired without the block timer so a
 * test decides when blocks are made. The console's profile is the demo's, unlocked as `member`;
 * other members act with their demo admin keys (`actAs`). Calls go through the contract's
 * schemas both ways, as the transports do. `openNode` opens the chain node another way (e.g.
 * openChainNode, making blocks on its own timer); its replica is then the node's.
 */
export async function openDemoConsole(
  template: string,
  member: string,
  { openNode }: { openNode?: (paths: DataPaths) => ChainNode } = {},
) {
  const dir = tempDir('carechain-demo-console-');
  for (const name of ['chain.db', 'genesis.json', 'node-key.json', 'demo-keys', 'profile.json']) {
    const from = path.join(template, name);
    if (existsSync(from)) cpSync(from, path.join(dir, name), { recursive: true });
  }
  const c = demoConsoleOn(dir, { openNode });
  if (c.session.memberId() !== member) await c.call('session.switchProfile', { memberId: member });
  await c.call('session.unlock', { passphrase: DEMO_PASSPHRASE });
  return c;
}

/** A console of openDemoConsole's. */
export type DemoConsole = ReturnType<typeof demoConsoleOn>;

/**
 * The console of openDemoConsole on a demo folder as it is, its profile loaded and locked: to
 * open a console again on the folder of one closed before, as a restarted node service would.
 */
export function demoConsoleOn(
  dir: string,
  { openNode }: { openNode?: (paths: DataPaths) => ChainNode } = {},
) {
  const paths = dataPaths(dir);
  const node = openNode
    ? openNode(paths)
    : new ChainNode(Replica.open(paths.replica), readKeyFile(paths.nodeKey));
  const { replica } = node;
  const session = new Session(paths, () => node);
  session.load(readProfile(paths.profile));
  const handlers = createHandlers({
    session,
    node: () => node,
    replicaProblem: () => null,
    openDemo: () => {
      throw new Error('the demo is open');
    },
    paths,
  });
  const keyOf = (id: string) => readKeyFile(path.join(paths.demoKeys, `${id}.admin.json`));
  const call = async <M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> => {
    const parsed = methods[method].params.parse(params) as Params<M>;
    const handler = handlers[method] as (p: Params<M>) => unknown;
    return methods[method].result.parse(await handler(parsed)) as Result<M>;
  };
  /** The error a call ends with; a call that succeeds fails the test. */
  const refusal = async <M extends MethodName>(method: M, params: Params<M>) => {
    try {
      await call(method, params);
    } catch (error) {
      return error as ServiceError | Error;
    }
    throw new Error(`${method} was not refused`);
  };
  const actAs = (id: string, body: Pick<TxBody, 'type'> & Record<string, unknown>) => {
    const key = keyOf(id);
    const tip = replica.tip();
    const full = {
      v: 1,
      chainId: tip.chainId,
      member: id,
      signer: key.publicKey,
      nonce: randomBytes(16).toString('hex'),
      ...body,
    } as TxBody;
    return node.submit(signTx(full, key.secretKey, replica.genesisHash()));
  };
  const block = () => {
    if (!node.produce()) throw new Error('a block was expected');
  };
  return { dir, paths, replica, node, session, call, refusal, actAs, block };
}
