import type Database from 'better-sqlite3';
import type { ProposalRecord } from '../../shared/members/schemas';

/**
 * What the console asks of membership state beyond what the rules read, served by the indexed
 * record tables (proposals_by_status, proposals_by_target).
 */
export class MembershipQueries {
  private readonly stmts;

  constructor(db: Database.Database) {
    this.stmts = {
      decided: db.prepare<[number], { record: string }>(
        "SELECT record FROM proposals WHERE status <> 'open' ORDER BY height DESC, id LIMIT ?",
      ),
      about: db.prepare<[string], { record: string }>(
        'SELECT record FROM proposals WHERE target = ? ORDER BY created_height DESC, id',
      ),
      nextExpiry: db.prepare<[], { at: number | null }>(
        "SELECT min(expires_at) AS at FROM proposals WHERE status = 'open'",
      ),
    };
  }

  /** The most recently decided proposals, newest first. */
  decidedProposals(limit: number): ProposalRecord[] {
    return this.stmts.decided.all(limit).map((r) => JSON.parse(r.record) as ProposalRecord);
  }

  /** Every proposal about one member, newest first. */
  proposalsAbout(memberId: string): ProposalRecord[] {
    return this.stmts.about.all(memberId).map((r) => JSON.parse(r.record) as ProposalRecord);
  }

  /** Earliest deadline of an open proposal: the producer makes a block then so it expires. */
  nextExpiry(): number | null {
    return this.stmts.nextExpiry.get()?.at ?? null;
  }
}
