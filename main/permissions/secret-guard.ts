import type Database from 'better-sqlite3';
import { membership } from '../../shared/members/state';
import { perNode, type HandlerContext } from '../service/handler-context';

/** Whether a member already holds patients on chain: consents of its patients, or accesses to them. */
const holdsPatientsOf = perNode((node) => {
  const db: Database.Database = node.replica.db;
  const consent = db.prepare<[string], 1>(
    'SELECT 1 FROM perm_consents WHERE custodian = ? LIMIT 1',
  );
  const access = db.prepare<[string], 1>('SELECT 1 FROM perm_access WHERE custodian = ? LIMIT 1');
  return (member: string) =>
    consent.pluck().get(member) !== undefined || access.pluck().get(member) !== undefined;
});

/**
 * The profile member's pseudonym secret, for the methods that use it. A profile without one gets
 * a new secret, unless its member already holds patients on chain: their pseudonyms were made
 * under a secret this profile lost, and a new one would not find them, so the console asks for
 * the backup instead of quietly starting over.
 */
export function custodianSecret(ctx: HandlerContext): Buffer {
  return ctx.session.pseudonymSecret(() => {
    const node = ctx.node();
    const member = ctx.session.memberId();
    if (!node || !member || !holdsPatientsOf(node)(member)) return null;
    const name = membership(node.replica.view).member(member)?.legalName ?? member;
    return `this profile has no pseudonym secret, but ${name} already holds patients' consents or accesses on chain under one: import the secret's backup (Permissions → Pseudonym secret). A new secret would not find those patients`;
  });
}
