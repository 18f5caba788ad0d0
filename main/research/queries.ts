import type Database from 'better-sqlite3';
import type { StudyRecord } from '../../shared/research/schemas';

type Json = { record: string };
type PageArgs = { sponsor: string; lastHeight: number; study: string; limit: number };

/** A page of studies: after `before` (the last of the page before), most recently anchored first. */
export interface StudiesPage {
  /** Only this sponsor's studies; every study when empty. */
  sponsor: string;
  before: { lastHeight: number; study: string } | null;
  limit: number;
}

/**
 * What the console asks of research state beyond the lists the rules read, each served by an
 * index of research_studies (main/research/schema.ts), so a page stays cheap however many
 * studies the chain holds.
 */
export class ResearchQueries {
  private readonly all;
  private readonly ofSponsor;

  constructor(db: Database.Database) {
    this.all = db.prepare<[PageArgs], Json>(
      `SELECT record FROM research_studies
       WHERE (last_height, study) < (@lastHeight, @study)
       ORDER BY last_height DESC, study DESC LIMIT @limit`,
    );
    this.ofSponsor = db.prepare<[PageArgs], Json>(
      `SELECT record FROM research_studies
       WHERE sponsor = @sponsor AND (last_height, study) < (@lastHeight, @study)
       ORDER BY last_height DESC, study DESC LIMIT @limit`,
    );
  }

  studiesPage({ sponsor, before, limit }: StudiesPage): StudyRecord[] {
    // Without a page before, from the top: every study hash is below 'g'.
    const args = {
      sponsor,
      lastHeight: before?.lastHeight ?? Number.MAX_SAFE_INTEGER,
      study: before?.study ?? 'g',
      limit,
    };
    return (sponsor === '' ? this.all : this.ofSponsor)
      .all(args)
      .map((row) => JSON.parse(row.record) as StudyRecord);
  }
}
