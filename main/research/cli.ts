import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { KeyPair } from '../../shared/ledger/keys';
import { RuleError } from '../../shared/ledger/domain';
import { signTx, TxFormatError, type TxBody } from '../../shared/ledger/tx';
import { membership } from '../../shared/members/state';
import { describeResearchTx, shortStudy } from '../../shared/research/describe';
import { studyRecords } from '../../shared/research/records';
import {
  DocumentKind,
  DocumentVersion,
  KIND_NAMES,
  type AnchorRecord,
} from '../../shared/research/schemas';
import { registryIdProblem, studyHashOf } from '../../shared/research/study-id';
import { AnchorBody } from '../../shared/research/txs';
import { verifyFile } from '../../shared/research/verification';
import { commitAll, withOwnNode } from '../cli/own-node';
import { UsageError } from '../cli/usage-error';
import { dataPaths } from '../service/data-dir';
import { readKeyFile } from '../service/keystore';
import { anchorProblem, changedReplicaMessage } from './signed-anchor';
import { Replica } from '../store/replica';

/** A problem with what the user gave an anchor command: the CLI prints it and exits 2. */
export class ResearchUsageError extends UsageError {}
/** A problem with the data folder: the CLI prints it and exits 1. */
export class ResearchCommandError extends Error {}

/** Exit codes of `carechain anchor verify` beside 0 (the file is anchored and current). */
export const NO_ANCHOR_EXIT = 3;
export const SUPERSEDED_EXIT = 4;

/**
 * The SHA-256 of a file, read as a stream (a result set may be gigabytes): only regular files,
 * so a device or pipe named as the file cannot make the command read forever.
 */
export async function hashFile(file: string): Promise<{ hash: string; bytes: number }> {
  try {
    if (!statSync(file).isFile()) throw new ResearchUsageError(`${file} is not a file`);
  } catch (error) {
    if (error instanceof ResearchUsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new ResearchUsageError(
      code === 'ENOENT'
        ? `${file} does not exist`
        : `cannot read ${file}: ${code ?? (error as Error).message}`,
    );
  }
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      bytes += chunk.length;
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ResearchUsageError(`cannot read ${file}: ${code ?? (error as Error).message}`);
  }
  return { hash: hash.digest('hex'), bytes };
}

export interface AnchorAddOptions {
  dir: string;
  key: string;
  study: string;
  kind: string;
  version: string;
  protocolVersion?: string;
}

function wholeNumber(value: string, flag: string): number {
  const n = /^\d{1,6}$/.test(value) ? Number(value) : NaN;
  const parsed = DocumentVersion.safeParse(n);
  if (!parsed.success) {
    throw new ResearchUsageError(
      Number.isNaN(n)
        ? `${flag}: ${value} is not a whole number`
        : `${flag}: ${parsed.error.issues[0]?.message}`,
    );
  }
  return parsed.data;
}

/** The anchor's fields from the flags (all but the file's hash), each refused by its flag. */
function anchorFields(opts: AnchorAddOptions) {
  const idProblem = registryIdProblem(opts.study);
  if (idProblem) throw new ResearchUsageError(`--study: ${idProblem}`);
  const kind = DocumentKind.safeParse(opts.kind);
  if (!kind.success) throw new ResearchUsageError(`--kind: ${kind.error.issues[0]?.message}`);
  const version = wholeNumber(opts.version, '--version');
  if (kind.data === 'protocol' && opts.protocolVersion !== undefined)
    throw new ResearchUsageError(
      '--protocol-version: a protocol names no protocol version: its own --version is the protocol version',
    );
  if (kind.data !== 'protocol' && opts.protocolVersion === undefined)
    throw new ResearchUsageError(
      `--protocol-version is required: the ${KIND_NAMES[kind.data]} belongs to a protocol version`,
    );
  return {
    type: 'research.anchor' as const,
    study: studyHashOf(opts.study),
    kind: kind.data,
    version,
    ...(opts.protocolVersion === undefined
      ? {}
      : { protocolVersion: wholeNumber(opts.protocolVersion, '--protocol-version') }),
  };
}

/**
 * `carechain anchor add FILE`: anchors the SHA-256 of a study's document as the key's member,
 * committed by this folder's own node (it takes the folder's lock, so while a node runs, anchor
 * through its console). The file stays where it is: only its hash is signed. Returns the exit
 * code: 0 anchored, 2 bad input or refused by a rule (nothing written), 1 a folder problem.
 */
export async function runAnchorAdd(file: string, opts: AnchorAddOptions): Promise<number> {
  const paths = dataPaths(opts.dir);
  if (!existsSync(paths.replica))
    throw new ResearchCommandError(`${paths.root} holds no chain (no chain.db)`);
  // Everything the user gave is checked before the file is read and the folder taken.
  const fields = anchorFields(opts);
  let key: KeyPair;
  try {
    key = readKeyFile(opts.key);
  } catch (error) {
    throw new ResearchUsageError(`--key: ${(error as Error).message}`);
  }
  const { hash } = await hashFile(file);
  const body = { ...fields, hash };
  return withOwnNode(
    opts.dir,
    'while its node runs, anchor through its console (Research → Anchor a file)',
    async (node) => {
      const member = membership(node.replica.view)
        .members()
        .find((m) => m.adminKeys.includes(key.publicKey));
      if (!member) throw new ResearchUsageError('--key: the key is not an admin key of any member');
      const blocked = node.cannotCommitReason();
      if (blocked) throw new ResearchCommandError(blocked);
      const tip = node.replica.tip();
      const full = AnchorBody.parse({
        v: 1,
        chainId: tip.chainId,
        member: member.id,
        signer: key.publicKey,
        nonce: randomBytes(16).toString('hex'),
        ...body,
      });
      let txId: string;
      try {
        [txId = ''] = await commitAll(node, [
          signTx(full as TxBody, key.secretKey, tip.genesisHash),
        ]);
      } catch (error) {
        if (error instanceof RuleError || error instanceof TxFormatError)
          throw new ResearchUsageError(`nothing was anchored: ${error.message}`, { cause: error });
        throw error;
      }
      console.log(
        [
          `anchored: ${describeResearchTx(full)} (${opts.study.trim()}), as ${member.id}`,
          `  file sha256 ${hash}`,
          `  study hash  ${full.study}`,
          `  in block ${node.replica.tx(txId)?.height}, transaction ${txId}`,
        ].join('\n'),
      );
      return 0;
    },
  );
}

export interface AnchorVerifyOptions {
  dir: string;
  json?: boolean;
}

/**
 * `carechain anchor verify FILE`: is the file anchored on this chain? Read-only, beside a running
 * node. Exit 0 the current version of an anchored document, 4 anchored but superseded by a later
 * version, 3 no anchor, 2 bad input, 1 no chain.
 */
export async function runAnchorVerify(file: string, opts: AnchorVerifyOptions): Promise<number> {
  const paths = dataPaths(opts.dir);
  if (!existsSync(paths.replica))
    throw new ResearchCommandError(`${paths.root} holds no chain (no chain.db)`);
  const { hash } = await hashFile(file);
  let replica: Replica;
  try {
    replica = Replica.open(paths.replica, { readonly: true });
  } catch (error) {
    throw new ResearchCommandError(`cannot read ${paths.replica}: ${(error as Error).message}`);
  }
  try {
    const tip = replica.tip();
    const answer = verifyFile(replica.view, hash);
    for (const m of answer.matches) {
      for (const a of [m.anchor, ...(m.supersededBy ? [m.supersededBy] : [])]) {
        const problem = anchorProblem(replica, a);
        if (problem) throw new ResearchCommandError(changedReplicaMessage(problem));
      }
    }
    const names = membership(replica.view);
    const where = (a: AnchorRecord) => {
      const found = replica.inclusionOf(a.txId);
      return {
        ...a,
        sponsor: replica.view.get(studyRecords, [a.study])?.sponsor ?? a.member,
        blockHash: found?.block.hash ?? null,
        proof: found?.proof ?? [],
        proofValid: found?.valid ?? false,
      };
    };
    const matches = answer.matches.map((m) => ({
      anchor: where(m.anchor),
      supersededBy: m.supersededBy ? where(m.supersededBy) : null,
    }));
    if (opts.json) {
      process.stdout.write(
        `${JSON.stringify({ file, hash, status: answer.status, asOfHeight: tip.height, matches }, null, 2)}\n`,
      );
    } else {
      const word = { match: 'MATCH', superseded: 'SUPERSEDED', 'no-anchor': 'NO ANCHOR' };
      const lines = [`${word[answer.status]}: ${file} (sha256 ${hash}), as of block ${tip.height}`];
      if (answer.status === 'no-anchor')
        lines.push(
          '  no anchor on this chain holds this hash (a changed copy of an anchored file has another hash)',
        );
      const at = (a: { height: number; time: number }) =>
        `block ${a.height} (${new Date(a.time).toISOString()})`;
      for (const { anchor, supersededBy } of matches) {
        const sponsor = names.member(anchor.sponsor)?.legalName ?? anchor.sponsor;
        const of = anchor.protocolVersion === null ? '' : ` of protocol v${anchor.protocolVersion}`;
        lines.push(
          `  ${KIND_NAMES[anchor.kind]} v${anchor.version}${of}, study ${shortStudy(anchor.study)} (sponsor ${sponsor}), anchored in ${at(anchor)}`,
          `    transaction ${anchor.txId}, inclusion proof ${anchor.proofValid ? 'verified' : 'FAILED'}`,
        );
        if (supersededBy)
          lines.push(
            `    superseded by v${supersededBy.version}, anchored in ${at(supersededBy)}, transaction ${supersededBy.txId}`,
          );
      }
      console.log(lines.join('\n'));
    }
    return answer.status === 'match'
      ? 0
      : answer.status === 'superseded'
        ? SUPERSEDED_EXIT
        : NO_ANCHOR_EXIT;
  } finally {
    replica.close();
  }
}
