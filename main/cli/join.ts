import { existsSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { generateKeyPair } from '../../shared/ledger/keys';
import { InviteRefused, makeInvitation } from '../network/join/make-invitation';
import { AdmissionWatch, describeAdmission, readDecidedJoin } from '../network/join/admission';
import { JoinError } from '../network/join/join-client';
import {
  checkApplication,
  describeJoinState,
  JoinInputError,
  pendingJoinFile,
  readInvitation,
  readPendingJoin,
  requestToJoin,
  type PendingJoin,
} from '../network/join/join-folder';
import type { JoinState } from '../network/join/join-wire';
import { dataPaths } from '../service/data-dir';
import { readKeyFile, writeKeyFile } from '../service/keystore';
import { openDataFolder } from '../service/startup';
import { Replica } from '../store/replica';
import { genesisPinProblem } from '../store/startup-check';
import { runNode } from './commands';
import { UsageError } from './usage-error';

export interface InviteOptions {
  dir: string;
  days: number;
  address?: string[];
}

/**
 * `carechain invite`: an invitation of this node for a new organisation (docs/sync.md §9.1). The
 * string goes to standard output alone; the token's SHA-256 is kept in the folder's
 * network/invitations.json. Runs beside the node (it reads the replica without a lock).
 */
export function runInvite(opts: InviteOptions): void {
  const paths = dataPaths(opts.dir);
  for (const [file, what] of [
    [paths.replica, 'replica'],
    [paths.nodeKey, 'node key'],
  ] as const) {
    if (!existsSync(file))
      throw new UsageError(`${paths.root} holds no ${what} (${path.basename(file)})`);
  }
  const nodeKey = readKeyFile(paths.nodeKey);
  const replica = Replica.open(paths.replica, { readonly: true });
  let made;
  try {
    const problem = genesisPinProblem(replica, paths.genesis);
    if (problem) {
      throw new UsageError(
        `${paths.root}: ${problem}. The node runs this replica read-only; no invitation was made`,
      );
    }
    made = makeInvitation({
      dataDir: paths.root,
      replica,
      nodeKey: nodeKey.publicKey,
      days: opts.days,
      ...(opts.address ? { addresses: opts.address } : {}),
    });
  } catch (error) {
    if (error instanceof InviteRefused) throw new UsageError(error.message);
    throw error;
  } finally {
    replica.close();
  }
  console.log(made.text);
  console.error(
    `an invitation of ${made.chainId} from this node, valid until ${new Date(made.expires).toISOString()}, for one join request; give it to the new organisation (carechain join --invite …)`,
  );
}

export interface JoinOptions {
  dir: string;
  invite?: string;
  name?: string;
  kind?: string;
  endpoint?: string;
  id?: string;
  poll: number;
  run: boolean;
}

/**
 * `carechain join`: a new organisation's node joins a running network with an invitation
 * (docs/sync.md §9): keys made, genesis from the inviting node (kept only if its hash is the
 * invitation's), the signed join request sent, the folder written; then it waits for the
 * members' decision, asking the inviting node, and once admitted runs as `carechain node`.
 * Without --invite it goes on waiting for the request the folder already sent.
 */
export async function runJoin(opts: JoinOptions): Promise<void> {
  const paths = dataPaths(opts.dir);
  if (opts.invite !== undefined) {
    if (!opts.name || !opts.kind || !opts.endpoint) {
      throw new UsageError('with --invite, give --name, --kind and --endpoint of the new member');
    }
    let application;
    try {
      // Both checked before the folder is touched: bad input writes nothing, not even the folder.
      readInvitation(opts.invite);
      application = checkApplication({
        ...(opts.id === undefined ? {} : { memberId: opts.id }),
        legalName: opts.name,
        kind: opts.kind,
        endpoint: opts.endpoint,
      });
    } catch (error) {
      if (error instanceof JoinInputError)
        throw new UsageError(`--${flagOf(error.field)}: ${error.message}`);
      throw error;
    }
    // The folder is made here for its lock: a request that fails leaves no new folder behind.
    const made = !existsSync(paths.root);
    const { lock } = openDataFolder(opts.dir);
    const adminKey = generateKeyPair();
    let requested = false;
    try {
      const sent = await requestToJoin({
        paths,
        invitationText: opts.invite,
        application,
        adminKey,
        writeAdmin: (into) => writeKeyFile(path.join(into.root, 'admin-key.json'), adminKey),
        progress: (line) => console.log(line),
      });
      requested = true;
      console.log(
        [
          `join request of ${sent.member} sent (tx ${sent.txId}).`,
          `admin key: ${path.join(paths.root, 'admin-key.json')} (keep it safe: a console profile is made from it)`,
          `node key: ${sent.nodeKey}`,
        ].join('\n'),
      );
    } catch (error) {
      if (error instanceof JoinInputError)
        throw new UsageError(`--${flagOf(error.field)}: ${error.message}`);
      if (error instanceof JoinError) throw new JoinFailed(error.message);
      throw error;
    } finally {
      lock.release();
      if (made && !requested) removeUnusedFolder(paths.root, paths.lock);
    }
  }
  const pending = readPendingJoin(paths.root);
  if (!pending) {
    throw new UsageError(
      `${paths.root} has sent no join request (${pendingJoinFile(paths.root)} is missing); give --invite`,
    );
  }
  const state = await waitForDecision(opts, pending);
  if (state.state !== 'approved') {
    throw new JoinFailed(`the join request of ${pending.member} was ${describeJoinState(state)}`);
  }
  if (!opts.run) {
    console.log(`start the node: carechain node --dir ${paths.root}`);
    return;
  }
  console.log(`${pending.member} is a member: starting its node, which now syncs from its peers`);
  await runNode({ dir: opts.dir });
}

/** Removes a folder this command made, if it still holds nothing but its lock file. */
function removeUnusedFolder(root: string, lockFile: string): void {
  if (readdirSync(root).some((name) => name !== path.basename(lockFile))) return;
  rmSync(lockFile, { force: true });
  rmdirSync(root);
}

/** The inviting node failed to take the join request: exit 1 with its reason. */
class JoinFailed extends Error {}

function flagOf(field: string): string {
  return (
    ({ memberId: 'id', legalName: 'name', invitation: 'invite' } as Record<string, string>)[
      field
    ] ?? field
  );
}

/** Waits in the foreground, printing each new state, until the members have decided. */
async function waitForDecision(opts: JoinOptions, pending: PendingJoin): Promise<JoinState> {
  const decided = readDecidedJoin(dataPaths(opts.dir).root);
  if (decided) return decided;
  let last = '';
  const watch = new AdmissionWatch(pending, {
    dataDir: dataPaths(opts.dir).root,
    pollMs: opts.poll * 1000,
    onState: (state) => {
      const line = describeAdmission(state);
      if (line !== last) console.log(`join request of ${pending.member}: ${line}`);
      last = line;
    },
  });
  return watch.decided;
}
