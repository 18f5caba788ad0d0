/**
 * The research domain's tables in the replica: one per record kind it declares
 * (shared/research/records.ts), with the columns those kinds name, and the indexes its lists and
 * queries read through. main/store/migrations.ts applies it as migration 6.
 *
 * Released schema is never edited (start-up compares sqlite_schema with it byte for byte); a
 * change is a new migration.
 */
export const RESEARCH_TABLES_V1 = `
  CREATE TABLE research_studies (
    study TEXT PRIMARY KEY,
    sponsor TEXT NOT NULL,
    created_height INTEGER NOT NULL,
    last_height INTEGER NOT NULL,
    record TEXT NOT NULL,
    height INTEGER NOT NULL REFERENCES blocks(height)
  ) STRICT;
  CREATE INDEX research_studies_by_last ON research_studies (last_height, study);
  CREATE INDEX research_studies_by_sponsor ON research_studies (sponsor, last_height, study);

  CREATE TABLE research_anchors (
    study TEXT NOT NULL,
    kind TEXT NOT NULL,
    version TEXT NOT NULL,
    hash TEXT NOT NULL,
    protocol_version INTEGER NOT NULL,
    anchored_height INTEGER NOT NULL,
    anchored_time INTEGER NOT NULL,
    record TEXT NOT NULL,
    height INTEGER NOT NULL REFERENCES blocks(height),
    PRIMARY KEY (study, kind, version)
  ) STRICT;
  CREATE INDEX research_anchors_of_study ON research_anchors (study, anchored_height);
  CREATE INDEX research_anchors_of_hash ON research_anchors (hash, study, kind, version);
`;
