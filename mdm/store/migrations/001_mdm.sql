-- The MDM store: the only state Concord keeps of its own.
-- source_record: the last seen copy of each source record, raw and standardised.
-- golden_record: one row per master (stable id), survived attributes and the
--   source record each value came from.
-- xref: source record -> master, with the score and rule that put it there.
-- match_candidate: pairs waiting for (or decided by) a steward.
-- steward_decision: pairs a steward has ruled on; the matcher obeys them.
-- history: append-only log of every change, with before/after for undo.
CREATE TABLE IF NOT EXISTS mdm.source_record (
  entity_type   text        NOT NULL,
  system        text        NOT NULL,
  source_id     text        NOT NULL,
  attributes    jsonb       NOT NULL,
  standardized  jsonb       NOT NULL DEFAULT '{}'::jsonb,
  source_updated_at timestamptz,
  seen_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (entity_type, system, source_id)
);

CREATE TABLE IF NOT EXISTS mdm.golden_record (
  master_id     text        PRIMARY KEY,
  entity_type   text        NOT NULL,
  attributes    jsonb       NOT NULL DEFAULT '{}'::jsonb,
  provenance    jsonb       NOT NULL DEFAULT '{}'::jsonb,  -- attribute -> {system, sourceId, rule}
  active        boolean     NOT NULL DEFAULT true,
  version       integer     NOT NULL DEFAULT 1,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS golden_record_type ON mdm.golden_record (entity_type) WHERE active;

CREATE TABLE IF NOT EXISTS mdm.xref (
  entity_type   text        NOT NULL,
  system        text        NOT NULL,
  source_id     text        NOT NULL,
  master_id     text        NOT NULL REFERENCES mdm.golden_record(master_id),
  score         double precision,
  rule          text        NOT NULL,
  linked_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (entity_type, system, source_id)
);
CREATE INDEX IF NOT EXISTS xref_master ON mdm.xref (master_id);

CREATE TABLE IF NOT EXISTS mdm.match_candidate (
  id            bigserial   PRIMARY KEY,
  entity_type   text        NOT NULL,
  left_system   text        NOT NULL,
  left_id       text        NOT NULL,
  right_system  text        NOT NULL,
  right_id      text        NOT NULL,
  score         double precision NOT NULL,
  explanation   jsonb       NOT NULL DEFAULT '{}'::jsonb,
  status        text        NOT NULL DEFAULT 'pending',  -- pending | accepted | rejected
  created_at    timestamptz NOT NULL DEFAULT now(),
  decided_at    timestamptz,
  decided_by    text,
  UNIQUE (entity_type, left_system, left_id, right_system, right_id)
);

CREATE TABLE IF NOT EXISTS mdm.steward_decision (
  entity_type   text        NOT NULL,
  left_system   text        NOT NULL,
  left_id       text        NOT NULL,
  right_system  text        NOT NULL,
  right_id      text        NOT NULL,
  decision      text        NOT NULL,  -- never_merge | always_merge
  decided_by    text        NOT NULL,
  decided_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (entity_type, left_system, left_id, right_system, right_id)
);

CREATE TABLE IF NOT EXISTS mdm.history (
  id               bigserial   PRIMARY KEY,
  at               timestamptz NOT NULL DEFAULT now(),
  actor            text        NOT NULL,
  action           text        NOT NULL,   -- load | merge | unmerge | split | join | accept | reject | undo | update
  reason           text,
  master_ids       text[]      NOT NULL DEFAULT '{}',
  before           jsonb,
  after            jsonb,
  idempotency_key  text UNIQUE
);
CREATE INDEX IF NOT EXISTS history_master_ids ON mdm.history USING gin (master_ids);
