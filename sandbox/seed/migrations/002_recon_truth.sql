-- What the reconciliation jobs must find on the seeded systems, worked out by
-- the generator (sandbox/seed/reconTruth.ts). planted: put there on purpose
-- (sandbox/seed/plants.ts); the rest comes from the data's natural differences.
CREATE TABLE IF NOT EXISTS truth.recon_finding (
  kind         text    NOT NULL,
  finding_key  text    NOT NULL,
  planted      boolean NOT NULL DEFAULT false,
  PRIMARY KEY (kind, finding_key)
);
