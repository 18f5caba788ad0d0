import { existsSync } from 'node:fs';
import type { z } from 'zod';
import { MemberId } from '../../shared/ledger/schemas';
import { membership } from '../../shared/members/state';
import {
  CONSENT_ACTIONS,
  PURPOSES,
  RECORD_CLASSES,
  purposeText,
} from '../../shared/permissions/codes';
import { decideAccess } from '../../shared/permissions/decision';
import {
  ConsentAction,
  provisionAt,
  Pseudonym,
  Purpose,
  RecordClass,
} from '../../shared/permissions/schemas';
import { permissions } from '../../shared/permissions/state';
import { UsageError } from '../cli/usage-error';
import { dataPaths } from '../service/data-dir';
import { Replica } from '../store/replica';
import { describeProvision } from '../../shared/permissions/describe';

/** A problem with the data folder: the CLI prints it and exits 1. */
export class PermissionsCommandError extends Error {}

/** Exit codes of `consent check` beyond 0 (permit). */
export const DENY_EXIT = 3;
export const BREAK_GLASS_EXIT = 4;

export interface ConsentCheckOptions {
  dir: string;
  custodian?: string;
  patient?: string;
  member?: string;
  action?: string;
  class?: string;
  purpose?: string;
  at?: string;
  json?: boolean;
}

function flag<T>(schema: z.ZodType<T>, value: string | undefined, name: string, codes?: object): T {
  if (value === undefined) throw new UsageError(`${name} is required`);
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const choices = codes ? ` (one of ${Object.keys(codes).join(', ')})` : '';
    throw new UsageError(`${name}: ${parsed.error.issues[0]?.message}${choices}`);
  }
  return parsed.data;
}

/** --at: an ISO 8601 time with its zone (e.g. 2026-11-26T09:00:00Z); now when omitted. */
function timeOf(at: string | undefined): number {
  if (at === undefined) return Date.now();
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(at))
    throw new UsageError(
      '--at: give a date (2026-11-26) or a time with its zone (2026-11-26T09:00Z)',
    );
  const time = Date.parse(at);
  if (Number.isNaN(time) || time < 0) throw new UsageError(`--at: ${at} is not a valid time`);
  return time;
}

const OUTCOME_WORDS = { permit: 'PERMIT', deny: 'DENY', 'break-glass': 'BREAK-GLASS' } as const;

/**
 * `carechain consent check`: may a member do an action on a class of a patient's records for a
 * purpose, under the consents on the replica at a time? Read-only, beside a running node.
 * The patient is named by pseudonym: the local identifier is pseudonymised only in the console,
 * with the custodian's unlocked secret.
 */
export function runConsentCheck(opts: ConsentCheckOptions): number {
  const question = {
    custodian: flag(MemberId, opts.custodian, '--custodian'),
    patient: flag(Pseudonym, opts.patient, '--patient'),
    member: flag(MemberId, opts.member, '--member'),
    action: flag(ConsentAction, opts.action, '--action', CONSENT_ACTIONS),
    recordClass: flag(RecordClass, opts.class, '--class', RECORD_CLASSES),
    purpose: flag(Purpose, opts.purpose, '--purpose', PURPOSES),
    time: timeOf(opts.at),
  };
  const paths = dataPaths(opts.dir);
  if (!existsSync(paths.replica))
    throw new PermissionsCommandError(`${paths.root} holds no chain (no chain.db)`);
  let replica: Replica;
  try {
    replica = Replica.open(paths.replica, { readonly: true });
  } catch (error) {
    throw new PermissionsCommandError(`cannot read ${paths.replica}: ${(error as Error).message}`);
  }
  try {
    const members = membership(replica.view);
    const accessor = members.member(question.member);
    if (!accessor)
      throw new UsageError(`--member: ${question.member} is not a member of this chain`);
    if (!members.member(question.custodian))
      throw new UsageError(`--custodian: ${question.custodian} is not a member of this chain`);
    const state = permissions(replica.view);
    // As of the time asked: the consents as they had been recorded by then.
    const consents =
      opts.at === undefined
        ? state.currentVersionsOf(question.custodian, question.patient)
        : state.versionsAsOf(question.custodian, question.patient, question.time);
    const decision = decideAccess(consents, {
      ...question,
      memberKind: accessor.kind,
    });
    const decided = decision.decidedBy;
    const version = decided ? state.version(decided.versionTx) : undefined;
    const provision = version && decided ? provisionAt(version.provision, decided.path) : undefined;
    const asOfHeight = replica.tip().height;
    if (opts.json) {
      const answer = { ...question, ...decision, provision: provision ?? null, asOfHeight };
      process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
    } else {
      const lines = [
        `${OUTCOME_WORDS[decision.outcome]}: ${accessor.legalName} (${accessor.id}) to ${question.action} ${question.recordClass} of patient ${question.patient.slice(0, 12)}… at ${question.custodian} for ${purposeText(question.purpose)}, at ${new Date(question.time).toISOString()} (as of block ${asOfHeight})`,
      ];
      if (decision.basis === 'no-consent')
        lines.push('  no consent in force speaks to this: access is denied');
      if (decision.basis === 'emergency')
        lines.push(
          '  emergency treatment no consent permits: it may go ahead, and is reviewed afterwards',
        );
      if (decided && provision) {
        lines.push(
          `  decided by consent ${decided.consent} version ${decided.version}, provision ${decided.path.length === 0 ? 'base' : decided.path.map((i) => i + 1).join('.')}: ${describeProvision(provision, (id) => members.member(id)?.legalName ?? id)}`,
        );
      }
      console.log(lines.join('\n'));
    }
    return decision.outcome === 'permit'
      ? 0
      : decision.outcome === 'deny'
        ? DENY_EXIT
        : BREAK_GLASS_EXIT;
  } finally {
    replica.close();
  }
}
