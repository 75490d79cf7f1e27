-- Which process runs a job now. Replicas of the quality subgraph share the
-- database, not memory: a lease row makes "one run of a job at a time" hold
-- across them. A lease expires on its own (its holder died mid-run) and is
-- extended by its holder while the job runs.
CREATE TABLE IF NOT EXISTS recon.job_lease (
  job          text        PRIMARY KEY,
  holder       text        NOT NULL,
  acquired_at  timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL
);
