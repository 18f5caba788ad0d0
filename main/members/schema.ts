/**
 * The membership domain's tables in the replica: one per record kind it declares
 * (shared/members/records.ts), with the columns those kinds name, plus the indexes its queries
 * (queries.ts) read through. main/store/migrations.ts composes this text into migration 1.
 *
 * This is released schema: SQLite keeps the text of each CREATE statement in sqlite_schema, and
 * start-up and `verify` compare it with what the migrations make (schemaDifference), so not a
 * byte of it may change, indentation included. A change to these tables is a new migration.
 */

/** Migration 1's membership part: the policy, members, proposals (with indexes) and votes. */
export const MEMBERSHIP_TABLES_V1 = `
  CREATE TABLE policy (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    record TEXT NOT NULL,
    height INTEGER NOT NULL REFERENCES blocks(height)
  ) STRICT;

  CREATE TABLE members (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    kind TEXT NOT NULL,
    validator INTEGER NOT NULL,
    record TEXT NOT NULL,
    height INTEGER NOT NULL REFERENCES blocks(height)
  ) STRICT;

  CREATE TABLE proposals (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    created_height INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    record TEXT NOT NULL,
    height INTEGER NOT NULL REFERENCES blocks(height)
  ) STRICT;
  CREATE INDEX proposals_by_status ON proposals (status, created_height, id);
  CREATE INDEX proposals_by_target ON proposals (target, created_height);

  CREATE TABLE votes (
    proposal_id TEXT NOT NULL REFERENCES proposals(id),
    member TEXT NOT NULL,
    choice TEXT NOT NULL,
    record TEXT NOT NULL,
    height INTEGER NOT NULL REFERENCES blocks(height),
    PRIMARY KEY (proposal_id, member)
  ) STRICT;
  `;

/**
 * Migration 4's membership part: decided proposals newest first without a sort or a scan of the
 * open ones, for the console's paged list.
 */
export const MEMBERSHIP_INDEXES_V2 = `
  CREATE INDEX proposals_decided ON proposals (height DESC, id) WHERE status <> 'open';
`;

/**
 * Migration 7's membership part: the validators in force from each height on, once a decision
 * has changed the set (shared/members/schedule.ts). The key is the height as a numberKey, so its
 * text order is height order and `from_height <= ?` finds the sets scheduled by a height.
 */
export const MEMBERSHIP_SCHEDULE_V3 = `
  CREATE TABLE validator_schedule (
    from_height TEXT PRIMARY KEY,
    record TEXT NOT NULL,
    height INTEGER NOT NULL REFERENCES blocks(height)
  ) STRICT;
`;
