import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { generateKeyPair, type KeyPair } from '../../../shared/ledger/keys';
import { Hash, MemberId, Millis, PublicKey } from '../../../shared/ledger/schemas';
import { describeZod, signTx, type DecodedTx } from '../../../shared/ledger/tx';
import { Endpoint, LegalName, MemberKind } from '../../../shared/members/schemas';
import { tallyWords } from '../../../shared/members/describe';
import { buildChain, type DataPaths } from '../../service/data-dir';
import { writeKeyFile } from '../../service/keystore';
import { Replica } from '../../store/replica';
import { NETWORK_CONFIG_FILE } from '../network-config';
import { SignGuard } from '../sign-state';
import { parseEndpoint } from '../transport/peer-id';
import { InvitationError, parseInvitation, type Invitation } from './invitation';
import { JoinError, withInviter } from './join-client';
import type { JoinState } from './join-wire';

/*
 * The joining side of docs/sync.md §9: a new organisation's node folder made from an invitation.
 * Its keys are made here; the genesis comes from the inviting node and is kept only if its hash
 * is the invitation's; the signed member.join goes to the inviting node with the token; and only
 * once the inviting node has accepted it is the folder written, whole and at once: genesis, an
 * empty replica (block 0 from genesis alone), the node key and its signing record, the admin key
 * (a key file, or a console profile sealed with the user's passphrase), network.json with the
 * inviting node as a peer and a catch-up source, and network/join.json to follow the request.
 */

/** What a new organisation states about itself (its member.join profile, but for the keys). */
export const JoinApplication = z.strictObject({
  memberId: MemberId,
  legalName: LegalName,
  kind: MemberKind,
  endpoint: Endpoint.superRefine((text, ctx) => {
    try {
      parseEndpoint(text);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  }),
});
export type JoinApplication = z.infer<typeof JoinApplication>;

/** A join request sent and not yet decided, kept in the new node's folder. */
export const PendingJoin = z.strictObject({
  v: z.literal(1),
  invitation: z.string().max(4096),
  member: MemberId,
  txId: Hash,
  /** The member.join transaction as sent, to send again if it is lost before a block. */
  tx: z.string().max(1024 * 1024),
  inviter: PublicKey,
  requested: Millis,
});
export type PendingJoin = z.infer<typeof PendingJoin>;

export function pendingJoinFile(dataDir: string): string {
  return path.join(dataDir, 'network', 'join.json');
}

/** Where a new organisation's data folder cannot be used, or why its application is invalid. */
export class JoinInputError extends Error {
  constructor(
    message: string,
    /** The field the problem is in (invitation, memberId, legalName, kind, endpoint, dir). */
    readonly field: string,
  ) {
    super(message);
  }
}

/** A member id made from a legal name: lowercase ASCII letters and digits with inner dashes. */
export function memberIdOf(legalName: string): string | null {
  const id = legalName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return MemberId.safeParse(id).success ? id : null;
}

/** Checks an application field by field; the first problem names its field. */
export function checkApplication(raw: {
  memberId?: string;
  legalName: string;
  kind: string;
  endpoint: string;
}): JoinApplication {
  const memberId = raw.memberId?.trim() || memberIdOf(raw.legalName) || '';
  const parsed = JoinApplication.safeParse({ ...raw, memberId });
  if (parsed.success) return parsed.data;
  // A member id made from the legal name fails with it: the legal name's problem comes first.
  const issue =
    parsed.error.issues.find((i) => i.path[0] !== 'memberId' || raw.memberId) ??
    parsed.error.issues[0];
  const field = String(issue?.path[0] ?? 'application');
  const message =
    field === 'memberId' && !raw.memberId
      ? 'no member id can be made from this legal name; give one (3-40 lowercase letters, digits or inner dashes)'
      : (issue?.message ?? describeZod(parsed.error));
  throw new JoinInputError(message, field);
}

/** The invitation string, parsed with a JoinInputError on the invitation field if it is bad. */
export function readInvitation(text: string): Invitation {
  try {
    return parseInvitation(text);
  } catch (error) {
    if (error instanceof InvitationError) throw new JoinInputError(error.message, 'invitation');
    throw error;
  }
}

/** Where the new node listens: its endpoint's port, on its endpoint's address if that is an IP. */
function listenOf(endpoint: string): string {
  const { family, host, port } = parseEndpoint(endpoint);
  if (family === 'ip6') return `[${host}]:${port}`;
  return `${family === 'ip4' && isIP(host) ? host : '0.0.0.0'}:${port}`;
}

export interface JoinRequestSent {
  member: string;
  txId: string;
  nodeKey: string;
  adminKey: string;
}

/**
 * Sends a new organisation's join request and writes its node folder. The caller holds the data
 * folder's lock; the folder must hold no chain. `writeAdmin` writes how the admin key is kept
 * (into the folder being built). Bad input, an unreachable or refusing inviting node, a wrong
 * genesis: an error, and nothing written.
 */
export async function requestToJoin(options: {
  paths: DataPaths;
  invitationText: string;
  application: JoinApplication;
  adminKey: KeyPair;
  writeAdmin: (into: DataPaths) => void;
  progress?: (line: string) => void;
}): Promise<JoinRequestSent> {
  const { paths, application, adminKey } = options;
  const say = options.progress ?? (() => undefined);
  const invitation = readInvitation(options.invitationText);
  if (existsSync(paths.replica)) {
    throw new JoinInputError(
      `${paths.root} already holds a chain; a new member's node needs a folder of its own`,
      'dir',
    );
  }
  const nodeKey = generateKeyPair();
  if (nodeKey.publicKey === adminKey.publicKey) throw new Error('two equal keys were generated');
  say(`connecting to the inviting node ${invitation.nodeKey.slice(0, 16)}… as a guest`);
  const { genesis, tx } = await withInviter(invitation, async (inviter) => {
    const { doc } = await inviter.genesis();
    say(`received the genesis of ${doc.chainId}; its hash is the invitation's`);
    const signed: DecodedTx = signTx(
      {
        v: 1,
        chainId: doc.chainId,
        member: application.memberId,
        signer: adminKey.publicKey,
        nonce: randomBytes(16).toString('hex'),
        type: 'member.join',
        profile: {
          legalName: application.legalName,
          kind: application.kind,
          adminKeys: [adminKey.publicKey],
          nodeKey: nodeKey.publicKey,
          endpoint: application.endpoint,
        },
      },
      adminKey.secretKey,
      invitation.genesisHash,
    );
    await inviter.joinRequest(signed.text, signed.id);
    return { genesis: doc, tx: signed };
  });
  say(
    `the inviting node accepted the join request (tx ${tx.id.slice(0, 16)}…); writing ${paths.root}`,
  );
  const pending: PendingJoin = {
    v: 1,
    invitation: options.invitationText.trim(),
    member: application.memberId,
    txId: tx.id,
    tx: tx.text,
    inviter: invitation.nodeKey,
    requested: Date.now(),
  };
  buildChain(paths, 'init', (into) => {
    writeFileSync(into.genesis, `${JSON.stringify(genesis, null, 2)}\n`);
    writeKeyFile(into.nodeKey, nodeKey);
    const replica = Replica.open(into.replica);
    try {
      replica.initGenesis(genesis);
    } finally {
      replica.close();
    }
    SignGuard.createFresh(into.root, nodeKey, {
      chainId: genesis.chainId,
      genesisHash: invitation.genesisHash,
    });
    options.writeAdmin(into);
    const address = invitation.addresses[0] as string;
    writeFileSync(
      path.join(into.root, NETWORK_CONFIG_FILE),
      `${JSON.stringify(
        {
          listen: listenOf(application.endpoint),
          peers: [{ nodeKey: invitation.nodeKey, address }],
          sources: [invitation.nodeKey],
        },
        null,
        2,
      )}\n`,
    );
    mkdirSync(path.join(into.root, 'network'), { recursive: true, mode: 0o700 });
    writeFileSync(pendingJoinFile(into.root), `${JSON.stringify(pending, null, 1)}\n`, {
      mode: 0o600,
    });
  });
  return {
    member: application.memberId,
    txId: tx.id,
    nodeKey: nodeKey.publicKey,
    adminKey: adminKey.publicKey,
  };
}

/** The join request this folder sent and is waiting on, or null if it has none. */
export function readPendingJoin(dataDir: string): PendingJoin | null {
  const file = pendingJoinFile(dataDir);
  if (!existsSync(file)) return null;
  const parsed = PendingJoin.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: ${describeZod(parsed.error)}`);
  return parsed.data;
}

/**
 * Asks the inviting node where the join request stands (one guest connection per question).
 * A request lost before any block (the inviting node restarted) is sent again, the same one.
 */
export async function joinStatus(pending: PendingJoin): Promise<JoinState> {
  // The invitation may have expired since: its token still answers status queries.
  const invitation = parseInvitation(pending.invitation, 0);
  return withInviter(invitation, async (inviter) => {
    const state = await inviter.status();
    if (state.state === 'refused' && state.height === undefined) {
      try {
        await inviter.joinRequest(pending.tx, pending.txId);
        return { txId: pending.txId, state: 'pending' };
      } catch (error) {
        if (!(error instanceof JoinError)) throw error;
        return { ...state, reason: error.message.slice(0, 1000) };
      }
    }
    return state;
  });
}

/** The state in words, as the CLI prints it and the console shows it. */
export function describeJoinState(state: JoinState): string {
  const votes =
    state.approvals !== undefined
      ? ` (${tallyWords({ approvals: state.approvals, needed: state.needed, rejections: state.rejections ?? 0 })})`
      : '';
  switch (state.state) {
    case 'pending':
      return 'sent; waiting for the next block';
    case 'open':
      return `under vote${votes}`;
    case 'approved':
      return `approved at height ${state.height ?? '?'}${votes}`;
    case 'rejected':
      return `rejected at height ${state.height ?? '?'}${votes}`;
    case 'expired':
      return `expired at height ${state.height ?? '?'} before enough members voted${votes}`;
    case 'refused':
      return `refused: ${state.reason ?? 'no reason given'}`;
  }
}

export function isDecided(state: JoinState): boolean {
  return state.state !== 'pending' && state.state !== 'open';
}
