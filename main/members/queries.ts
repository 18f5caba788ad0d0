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
      // Through proposals_decided (migration 4): a page costs the same however many there are.
      decided: db.prepare<[{ height: number; id: string; limit: number }], { record: string }>(
        `SELECT record FROM proposals WHERE status <> 'open'
           AND (height < @height OR (height = @height AND id > @id))
         ORDER BY height DESC, id LIMIT @limit`,
      ),
      about: db.prepare<[string], { record: string }>(
        'SELECT record FROM proposals WHERE target = ? ORDER BY created_height DESC, id',
      ),
      nextExpiry: db.prepare<[], { at: number | null }>(
        "SELECT min(expires_at) AS at FROM proposals WHERE status = 'open'",
      ),
    };
  }

  /** Decided proposals newest first (by the height that decided them, then id), after `before`. */
  decidedProposals(limit: number, before?: { height: number; id: string }): ProposalRecord[] {
    const cursor = before ?? { height: Number.MAX_SAFE_INTEGER, id: '' };
    return this.stmts.decided
      .all({ ...cursor, limit })
      .map((r) => JSON.parse(r.record) as ProposalRecord);
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
