import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import type { z } from 'zod';
import type { KeyPair } from '../../shared/ledger/keys';
import { Hash, MemberId } from '../../shared/ledger/schemas';
import { signTx, type TxBody } from '../../shared/ledger/tx';
import { membership } from '../../shared/members/state';
import { MAX_EPCIS_CHARS } from '../../shared/rpc/supply';
import { parseScan } from '../../shared/supply/gs1';
import { Gtin14, IsoDate, Lot, Serial } from '../../shared/supply/schemas';
import { verifyIdentifier, type ProductIdentifier } from '../../shared/supply/verification';
import { dataPaths } from '../service/data-dir';
import { readKeyFile } from '../service/keystore';
import { exportScope, importRoomProblem, planImport, type ExportScope } from './epcis';
import { Replica } from '../store/replica';
import { commitAll, withOwnNode } from '../cli/own-node';
import { UsageError } from '../cli/usage-error';

/** A problem with what the user gave the command: the CLI prints it and exits 2. */
export class SupplyUsageError extends UsageError {}
/** A problem with the data folder: the CLI prints it and exits 1. */
export class SupplyCommandError extends Error {}

/** Exit code of verify-product when the identifier does not verify. */
export const NOT_VERIFIED_EXIT = 3;

const WORDS: Record<string, string> = {
  No_match_GTIN_Serial: 'no unit with this GTIN and serial was ever commissioned on the chain',
  No_match_GTIN_Serial_Lot: 'the unit exists, but its lot is not the one given',
  No_match_GTIN_Serial_Expiry: 'the unit exists, but its expiry is not the one given',
  No_match_GTIN_Serial_Lot_Expiry: 'the unit exists, but neither its lot nor its expiry match',
  'Not_for_re-distribution':
    'the unit is on record as dispensed, destroyed or decommissioned: it cannot be saleable stock',
};

export interface VerifyProductOptions {
  dir: string;
  scan?: string;
  gtin?: string;
  serial?: string;
  lot?: string;
  expiry?: string;
  json?: boolean;
}

function field<T>(schema: z.ZodType<T>, value: string | undefined, flag: string): T {
  if (value === undefined) throw new SupplyUsageError(`${flag} is required (or give --scan)`);
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new SupplyUsageError(`${flag}: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/** The identifier from --scan (an element string, Digital Link or EPC URI) or from the flags. */
function identifierOf(opts: VerifyProductOptions, referenceYear: number): ProductIdentifier {
  if (opts.scan !== undefined) {
    if (opts.gtin ?? opts.serial ?? opts.lot ?? opts.expiry)
      throw new SupplyUsageError('give either --scan or --gtin/--serial/--lot/--expiry, not both');
    const read = parseScan(opts.scan, { referenceYear });
    if (!read.ok)
      throw new SupplyUsageError(`--scan: ${read.error} (at character ${read.position + 1})`);
    const missing = (['gtin', 'serial', 'lot', 'expiry'] as const).filter((k) => !read[k]);
    if (missing.length > 0)
      throw new SupplyUsageError(
        `--scan: the barcode carries no ${missing.join(', no ')}; a DSCSA verification needs GTIN, serial, lot and expiry`,
      );
    return {
      gtin: read.gtin as string,
      serial: read.serial as string,
      lot: read.lot as string,
      expiry: read.expiry as string,
    };
  }
  return {
    gtin: field(Gtin14, opts.gtin, '--gtin'),
    serial: field(Serial, opts.serial, '--serial'),
    lot: field(Lot, opts.lot, '--lot'),
    expiry: field(IsoDate, opts.expiry, '--expiry'),
  };
}

/**
 * `carechain verify-product`: the DSCSA verification of a product identifier against the
 * replica as of its last block, with the evidence; read-only, beside a running node.
 */
export function runVerifyProduct(opts: VerifyProductOptions): number {
  const paths = dataPaths(opts.dir);
  if (!existsSync(paths.replica))
    throw new SupplyCommandError(`${paths.root} holds no chain (no chain.db)`);
  let replica: Replica;
  try {
    replica = Replica.open(paths.replica, { readonly: true });
  } catch (error) {
    throw new SupplyCommandError(`cannot read ${paths.replica}: ${(error as Error).message}`);
  }
  try {
    const tip = replica.tip();
    const id = identifierOf(opts, new Date(tip.time).getUTCFullYear());
    const answer = verifyIdentifier(replica.view, id, tip.time);
    const names = membership(replica.view);
    const evidence = (answer.ledger?.decidingTxs ?? []).map((txId) => {
      const found = replica.inclusionOf(txId);
      if (!found) return { txId, height: null, proofValid: false };
      return {
        txId,
        height: found.row.height,
        blockHash: found.block.hash,
        proof: found.proof,
        proofValid: found.valid,
      };
    });
    const result = { identifier: id, asOfHeight: tip.height, ...answer, evidence };
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else {
      const lines = [
        `${answer.verified ? 'VERIFIED' : 'NOT VERIFIED'}: GTIN ${id.gtin}, serial ${id.serial}, lot ${id.lot}, expiry ${id.expiry} (as of block ${tip.height})`,
      ];
      if (answer.failure)
        lines.push(`  reason: ${answer.failure} (${WORDS[answer.failure] ?? ''})`);
      if (answer.info.length > 0) lines.push(`  additional information: ${answer.info.join(', ')}`);
      if (answer.ledger) {
        const holder = answer.ledger.custodian;
        lines.push(
          `  on the ledger: ${answer.ledger.status}, held by ${names.member(holder)?.legalName ?? holder} (${holder})` +
            (answer.ledger.recall ? `; recalled by ${answer.ledger.recall}` : '') +
            (answer.ledger.quarantine ? `; quarantined by ${answer.ledger.quarantine}` : ''),
        );
      }
      for (const e of evidence) {
        lines.push(
          `  evidence: transaction ${e.txId} in block ${e.height ?? '?'}, inclusion proof ${e.proofValid ? 'verified' : 'FAILED'}`,
        );
      }
      console.log(lines.join('\n'));
    }
    return answer.verified ? 0 : NOT_VERIFIED_EXIT;
  } finally {
    replica.close();
  }
}

/**
 * A file's text, refused if it is not a regular file or is over `max` bytes: only that much is
 * ever read, so a device or an endless pipe named as the file cannot exhaust memory.
 */
function readBounded(file: string, max: number): string {
  const tooBig = `${file} is over ${max / 1024 / 1024} MiB`;
  let fd: number;
  try {
    if (!statSync(file).isFile()) throw new SupplyUsageError(`${file} is not a file`);
    fd = openSync(file, 'r');
  } catch (error) {
    if (error instanceof SupplyUsageError) throw error;
    throw new SupplyUsageError(
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  try {
    const buffer = Buffer.alloc(max + 1);
    let size = 0;
    for (;;) {
      const read = readSync(fd, buffer, size, buffer.length - size, null);
      if (read === 0) break;
      size += read;
      if (size > max) throw new SupplyUsageError(tooBig);
    }
    return buffer.subarray(0, size).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

export interface EpcisImportOptions {
  dir: string;
  key: string;
  file: string;
  dryRun?: boolean;
}

/**
 * `carechain epcis import`: an EPCIS 2.0 document's events become the key's member's supply
 * transactions, all or nothing, committed by this folder's node (it takes the folder's lock, so
 * a running node is told to import through its console instead). Returns the exit code.
 */
export async function runEpcisImport(opts: EpcisImportOptions): Promise<number> {
  const text = readBounded(opts.file, MAX_EPCIS_CHARS);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new SupplyUsageError(`${opts.file} is not JSON: ${(error as Error).message}`);
  }
  let key: KeyPair;
  try {
    key = readKeyFile(opts.key);
  } catch (error) {
    throw new SupplyUsageError(`--key: ${(error as Error).message}`);
  }
  return withOwnNode(
    opts.dir,
    'while its node runs, import through its console (Supply → EPCIS)',
    async (node) => {
      const member = membership(node.replica.view)
        .members()
        .find((m) => m.adminKeys.includes(key.publicKey));
      if (!member) throw new SupplyUsageError('--key: the key is not an admin key of any member');
      const tip = node.replica.tip();
      const plan = node.preview((view) =>
        planImport(document, view, tip, member.id, key.publicKey, Date.now()),
      );
      if (!plan.ok) {
        for (const e of plan.errors) {
          const where = e.index < 0 ? 'the document' : `event ${e.index}`;
          console.error(`${where}${e.field ? ` (${e.field})` : ''}: ${e.reason}`);
        }
        console.error(
          `nothing was imported (${plan.errors.length} problem${plan.errors.length === 1 ? '' : 's'})`,
        );
        return 2;
      }
      const events = plan.txs.reduce((n, t) => n + t.events.length, 0);
      for (const note of plan.notes)
        console.log(`note: event ${note.index} (${note.field}): ${note.reason}`);
      if (opts.dryRun) {
        console.log(
          `dry run: ${events} events would be recorded as ${plan.txs.length} transactions of ${member.id}`,
        );
        return 0;
      }
      const blocked = node.cannotCommitReason() ?? importRoomProblem(node.room(), plan.txs);
      if (blocked) throw new SupplyCommandError(blocked);
      const signed = plan.txs.map(({ body }) => {
        const full = {
          v: 1,
          chainId: tip.chainId,
          member: member.id,
          signer: key.publicKey,
          nonce: randomBytes(16).toString('hex'),
          ...body,
        } as TxBody;
        return signTx(full, key.secretKey, tip.genesisHash);
      });
      // All or none, journalled together: a crash keeps the whole import or none of it.
      const ids = await commitAll(node, signed);
      console.log(
        `imported ${events} events as ${ids.length} transactions of ${member.id}, committed by height ${node.replica.tip().height}`,
      );
      for (const id of ids) console.log(id);
      return 0;
    },
  );
}

export interface EpcisExportOptions {
  dir: string;
  unit?: string;
  lot?: string;
  shipment?: string;
  member?: string;
  out?: string;
}

function scopeOf(opts: EpcisExportOptions): ExportScope {
  const given = (['unit', 'lot', 'shipment', 'member'] as const).filter(
    (k) => opts[k] !== undefined,
  );
  if (given.length !== 1)
    throw new SupplyUsageError('name exactly one of --unit, --lot, --shipment or --member');
  const pair = (value: string, flag: string, second: string): [string, string] => {
    const slash = value.indexOf('/');
    if (slash < 0) throw new SupplyUsageError(`${flag} is written <gtin>/<${second}>`);
    return [value.slice(0, slash), value.slice(slash + 1)];
  };
  if (opts.unit !== undefined) {
    const [gtin, serial] = pair(opts.unit, '--unit', 'serial');
    return {
      kind: 'unit',
      gtin: field(Gtin14, gtin, '--unit'),
      serial: field(Serial, serial, '--unit'),
    };
  }
  if (opts.lot !== undefined) {
    const [gtin, lot] = pair(opts.lot, '--lot', 'lot');
    return { kind: 'lot', gtin: field(Gtin14, gtin, '--lot'), lot: field(Lot, lot, '--lot') };
  }
  if (opts.shipment !== undefined)
    return { kind: 'shipment', id: field(Hash, opts.shipment, '--shipment') };
  return { kind: 'member', member: field(MemberId, opts.member, '--member') };
}

/** `carechain epcis export`: read-only, beside a running node. */
export function runEpcisExport(opts: EpcisExportOptions): number {
  const scope = scopeOf(opts);
  const paths = dataPaths(opts.dir);
  if (!existsSync(paths.replica))
    throw new SupplyCommandError(`${paths.root} holds no chain (no chain.db)`);
  let replica: Replica;
  try {
    replica = Replica.open(paths.replica, { readonly: true });
  } catch (error) {
    throw new SupplyCommandError(`cannot read ${paths.replica}: ${(error as Error).message}`);
  }
  try {
    if (scope.kind === 'member' && !membership(replica.view).member(scope.member))
      throw new SupplyUsageError(`--member: ${scope.member} is not a member of this chain`);
    const { document, events, truncated } = exportScope(replica, scope, Date.now());
    const text = `${JSON.stringify(document, null, 2)}\n`;
    if (opts.out) {
      if (existsSync(opts.out)) throw new SupplyUsageError(`${opts.out} already exists`);
      try {
        writeFileSync(opts.out, text, { flag: 'wx' });
      } catch (error) {
        throw new SupplyUsageError(
          `--out: cannot write ${opts.out} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
        );
      }
      console.error(
        `wrote ${events} events to ${opts.out}${truncated ? ' (the newest were left out: too many for one export)' : ''}`,
      );
    } else {
      process.stdout.write(text);
    }
    return 0;
  } finally {
    replica.close();
  }
}
