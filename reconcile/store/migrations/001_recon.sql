-- The reconciliation store (schema recon): job runs, the findings they made,
-- every finding's audit trail, and the data-quality profiles per run.
-- run: one row per job run, with per-kind counts (the trend over time).
-- finding: one row per discrepancy, id derived from its kind and records
--   (stable across runs); `present` says whether the latest run of its job
--   still saw it; state is the business user's: open | acknowledged | resolved,
--   changed under optimistic concurrency (version).
-- finding_event: append-only: detected, acknowledged, resolved, reopened, cleared.
-- quality_profile: completeness, validity and uniqueness per source and field per run.
CREATE TABLE IF NOT EXISTS recon.run (
  id           bigserial   PRIMARY KEY,
  job          text        NOT NULL,
  trigger      text        NOT NULL,            -- schedule | manual
  actor        text        NOT NULL,
  status       text        NOT NULL DEFAULT 'running',  -- running | succeeded | failed
  started_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  as_of        timestamptz NOT NULL,
  options      jsonb       NOT NULL DEFAULT '{}'::jsonb,
  counts       jsonb       NOT NULL DEFAULT '{}'::jsonb,  -- kind -> findings seen
  error        text
);
CREATE INDEX IF NOT EXISTS run_job_started ON recon.run (job, started_at DESC);

CREATE TABLE IF NOT EXISTS recon.finding (
  id             text        PRIMARY KEY,       -- fnd_ + 20 hex of sha256(kind + key)
  job            text        NOT NULL,
  kind           text        NOT NULL,
  finding_key    text        NOT NULL,
  entity_type    text        NOT NULL,
  master_id      text,
  summary        text        NOT NULL,
  records        jsonb       NOT NULL DEFAULT '[]'::jsonb, -- [{system, type, id, label}]
  amounts        jsonb,                                    -- {crm, erp, difference, currency}: finance figures
  detail         jsonb       NOT NULL DEFAULT '{}'::jsonb,
  month          text,
  state          text        NOT NULL DEFAULT 'open',      -- open | acknowledged | resolved
  present        boolean     NOT NULL DEFAULT true,
  version        integer     NOT NULL DEFAULT 1,
  first_run_id   bigint      NOT NULL REFERENCES recon.run(id),
  last_run_id    bigint      NOT NULL REFERENCES recon.run(id),
  first_seen_at  timestamptz NOT NULL DEFAULT now(),
  last_seen_at   timestamptz NOT NULL DEFAULT now(),
  state_comment  text,
  state_by       text,
  state_at       timestamptz,
  UNIQUE (kind, finding_key)
);
CREATE INDEX IF NOT EXISTS finding_kind_state ON recon.finding (kind, state) WHERE present;
CREATE INDEX IF NOT EXISTS finding_job_present ON recon.finding (job) WHERE present;
CREATE INDEX IF NOT EXISTS finding_master ON recon.finding (master_id);

CREATE TABLE IF NOT EXISTS recon.finding_event (
  id          bigserial   PRIMARY KEY,
  finding_id  text        NOT NULL REFERENCES recon.finding(id),
  at          timestamptz NOT NULL DEFAULT now(),
  actor       text        NOT NULL,
  action      text        NOT NULL,   -- detected | acknowledged | resolved | reopened | cleared
  from_state  text,
  to_state    text,
  comment     text,
  run_id      bigint      REFERENCES recon.run(id)
);
CREATE INDEX IF NOT EXISTS finding_event_finding ON recon.finding_event (finding_id, id);

CREATE TABLE IF NOT EXISTS recon.quality_profile (
  run_id        bigint      NOT NULL REFERENCES recon.run(id),
  system        text        NOT NULL,
  entity_type   text        NOT NULL,
  field         text        NOT NULL,
  records       integer     NOT NULL,
  present       integer     NOT NULL,
  valid         integer,                 -- null: no rule for this field
  distinct_values integer   NOT NULL,
  PRIMARY KEY (run_id, system, entity_type, field)
);
