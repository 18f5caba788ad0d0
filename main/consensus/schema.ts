/**
 * The consensus domain's table in the replica: evidence of equivocation
 * (shared/consensus/records.ts), keyed by the validator key and the position it signed twice
 * (height and round as numberKeys), with the accused member for its page.
 * main/store/migrations.ts applies it as migration 8.
 *
 * Released schema is never edited (start-up compares sqlite_schema with it byte for byte); a
 * change is a new migration.
 */
export const CONSENSUS_TABLES_V1 = `
  CREATE TABLE consensus_evidence (
    validator TEXT NOT NULL,
    msg_height TEXT NOT NULL,
    msg_round TEXT NOT NULL,
    msg_kind TEXT NOT NULL,
    member TEXT NOT NULL,
    record TEXT NOT NULL,
    height INTEGER NOT NULL REFERENCES blocks(height),
    PRIMARY KEY (validator, msg_height, msg_round, msg_kind)
  ) STRICT;
  CREATE INDEX consensus_evidence_of_member ON consensus_evidence (member, msg_height, msg_round);
`;
