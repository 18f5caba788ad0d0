import type Database from 'better-sqlite3';
import type {
  AccessOutcome,
  AccessRecord,
  ConsentRecord,
  ConsentVersionRecord,
  DelegateRecord,
} from '../../shared/permissions/schemas';

type Json = { record: string };
const parse = <T>(rows: readonly Json[]): T[] => rows.map((r) => JSON.parse(r.record) as T);

/** The last item of the previous page of a list newest first. */
export interface TimeCursor {
  time: number;
  id: string;
}
export interface HeightCursor {
  height: number;
  id: string;
}

/** Far beyond any block time or height: "from the newest". */
const NEWEST = Number.MAX_SAFE_INTEGER;
/** Above every id (ids are lowercase hex). */
const HIGHEST_ID = 'g';

export interface AccessFilter {
  outcome: AccessOutcome;
  custodian?: string;
  accessor?: string;
  review?: 'open' | 'closed';
  since?: number;
  until?: number;
  before?: TimeCursor;
  limit: number;
}

/**
 * What the console asks of permissions state beyond the rules' own reads, each served by an
 * index of main/permissions/schema.ts: pages newest first walk an index backwards from a cursor
 * and stop at the page's end, so they cost the same at ten accesses or ten million. A cursor is
 * a row value, `(time, id) < (?, ?)`, which SQLite seeks to in the index; the same condition
 * spelt `time < ? OR (time = ? AND id < ?)` is only a filter, and a page deep in a long list
 * then walked every entry newer than its cursor first.
 */
export class PermissionsQueries {
  private readonly stmts;
  private readonly accessStatements = new Map<string, Database.Statement<unknown[], Json>>();

  constructor(private readonly db: Database.Database) {
    const prepare = <P extends unknown[], R>(sql: string) => db.prepare<P, R>(sql);
    this.stmts = {
      ofCustodian: prepare<[string, number, string, number], Json>(
        `SELECT record FROM perm_consents
         WHERE custodian = ? AND (recorded_height, id) < (?, ?)
         ORDER BY recorded_height DESC, id DESC LIMIT ?`,
      ),
      // The partial index perm_consent_versions_by_delegate holds exactly these rows.
      recordedAsDelegate: prepare<[string, number, string, number], Json>(
        `SELECT c.record FROM perm_consent_versions v JOIN perm_consents c ON c.id = v.consent_id
         WHERE v.recorded_by = ? AND v.version = 1 AND v.custodian <> v.recorded_by
           AND (v.height, v.tx_id) < (?, ?)
         ORDER BY v.height DESC, v.tx_id DESC LIMIT ?`,
      ),
      // One branch per grantee key (the member, its kind), each read newest first through the
      // index and cut at the page's length; the current version must name it.
      granted: prepare<
        [{ member: string; kind: string; height: number; id: string; limit: number }],
        Json & { at: number }
      >(
        `SELECT record, at FROM (
           SELECT * FROM (
             SELECT c.record, g.height AS at, g.consent_id AS cid FROM perm_consent_grantees g
             JOIN perm_consents c ON c.id = g.consent_id AND c.version = g.version
             WHERE g.grantee = @member
               AND (g.height, g.consent_id) < (@height, @id)
             ORDER BY g.height DESC, g.consent_id DESC LIMIT @limit)
           UNION ALL
           SELECT * FROM (
             SELECT c.record, g.height AS at, g.consent_id AS cid FROM perm_consent_grantees g
             JOIN perm_consents c ON c.id = g.consent_id AND c.version = g.version
             WHERE g.grantee = @kind
               AND (g.height, g.consent_id) < (@height, @id)
             ORDER BY g.height DESC, g.consent_id DESC LIMIT @limit))
         ORDER BY at DESC, cid DESC LIMIT @limit`,
      ),
      accessOfPatient: prepare<[string, string, number, string, number], Json>(
        `SELECT record FROM perm_access
         WHERE custodian = ? AND patient = ? AND (time, id) < (?, ?)
         ORDER BY time DESC, id DESC LIMIT ?`,
      ),
      versionsOfPatient: prepare<[string, string], Json>(
        `SELECT record FROM perm_consent_versions WHERE custodian = ? AND patient = ?
         ORDER BY height, tx_id`,
      ),
      delegations: prepare<[string], Json>(
        'SELECT record FROM perm_delegates WHERE delegate = ? AND active = 1 ORDER BY custodian',
      ),
      delegates: prepare<[string], Json>(
        'SELECT record FROM perm_delegates WHERE custodian = ? ORDER BY delegate',
      ),
    };
  }

  consentsOfCustodian(custodian: string, before: HeightCursor | undefined, limit: number) {
    const { height, id } = before ?? { height: NEWEST, id: HIGHEST_ID };
    return parse<ConsentRecord>(this.stmts.ofCustodian.all(custodian, height, id, limit));
  }

  consentsRecordedAsDelegate(member: string, before: HeightCursor | undefined, limit: number) {
    const { height, id } = before ?? { height: NEWEST, id: HIGHEST_ID };
    return parse<ConsentRecord>(this.stmts.recordedAsDelegate.all(member, height, id, limit));
  }

  /** Consents whose current version names the member or its kind, by when it was named. */
  consentsGranting(
    member: string,
    kind: string,
    before: HeightCursor | undefined,
    limit: number,
  ): { consent: ConsentRecord; namedAt: number }[] {
    const { height, id } = before ?? { height: NEWEST, id: HIGHEST_ID };
    return this.stmts.granted
      .all({ member: `member:${member}`, kind: `kind:${kind}`, height, id, limit })
      .map((r) => ({ consent: JSON.parse(r.record) as ConsentRecord, namedAt: r.at }));
  }

  accessOfPatient(
    custodian: string,
    patient: string,
    before: TimeCursor | undefined,
    limit: number,
  ): AccessRecord[] {
    const { time, id } = before ?? { time: NEWEST, id: HIGHEST_ID };
    return parse<AccessRecord>(this.stmts.accessOfPatient.all(custodian, patient, time, id, limit));
  }

  /**
   * Accesses of one outcome, newest first, by custodian or accessor, period and review state.
   * Each combination of filters has its own statement (prepared once), so that SQLite can pick
   * the index that serves it; a catch-all `(? = '' OR column = ?)` would defeat them all.
   */
  accesses(filter: AccessFilter): AccessRecord[] {
    const where = ['outcome = @outcome'];
    if (filter.custodian !== undefined) where.push('custodian = @custodian');
    if (filter.accessor !== undefined) where.push('accessor = @accessor');
    // A literal (from a closed set), so that the partial index of open reviews can serve it.
    if (filter.review !== undefined) where.push(`review = '${filter.review}'`);
    if (filter.since !== undefined) where.push('time >= @since');
    // One upper bound, so the index is walked from it: the cursor, or the period's end when
    // that comes first (`time < until` is `(time, id) < (until, '')`: every id is above '').
    where.push('(time, id) < (@time, @id)');
    const sql = `SELECT record FROM perm_access WHERE ${where.join(' AND ')}
      ORDER BY time DESC, id DESC LIMIT @limit`;
    let stmt = this.accessStatements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare<unknown[], Json>(sql);
      this.accessStatements.set(sql, stmt);
    }
    const cursor = filter.before ?? { time: NEWEST, id: HIGHEST_ID };
    const { time, id } =
      filter.until !== undefined && filter.until <= cursor.time
        ? { time: filter.until, id: '' }
        : cursor;
    const params: Record<string, string | number> = {
      outcome: filter.outcome,
      time,
      id,
      limit: filter.limit,
    };
    if (filter.custodian !== undefined) params.custodian = filter.custodian;
    if (filter.accessor !== undefined) params.accessor = filter.accessor;
    if (filter.since !== undefined) params.since = filter.since;
    return parse<AccessRecord>(stmt.all(params));
  }

  /** Every version of every consent of a patient at a custodian, in the order recorded. */
  versionsOfPatient(custodian: string, patient: string): ConsentVersionRecord[] {
    return parse<ConsentVersionRecord>(this.stmts.versionsOfPatient.all(custodian, patient));
  }

  /** The custodians that made a member their delegate, and still do. */
  delegations(delegate: string): DelegateRecord[] {
    return parse<DelegateRecord>(this.stmts.delegations.all(delegate));
  }

  delegates(custodian: string): DelegateRecord[] {
    return parse<DelegateRecord>(this.stmts.delegates.all(custodian));
  }
}
