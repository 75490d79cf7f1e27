-- The match engine's own state, added beside the tables of 001 (unchanged).
-- model: the trained Fellegi-Sunter parameters per entity type, so incremental
--   matching scores one record exactly as the last batch did.
-- block_key: each source record's blocking keys, so one incoming record finds
--   its candidates with an index lookup instead of a batch.
-- Search indexes: trigram on golden names, btree on the identifiers.
CREATE TABLE IF NOT EXISTS mdm.model (
  entity_type  text        PRIMARY KEY,
  model        jsonb       NOT NULL,
  trained_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS mdm.block_key (
  entity_type  text NOT NULL,
  block_key    text NOT NULL,
  system       text NOT NULL,
  source_id    text NOT NULL,
  PRIMARY KEY (entity_type, block_key, system, source_id)
);
CREATE INDEX IF NOT EXISTS block_key_record ON mdm.block_key (entity_type, system, source_id);

CREATE INDEX IF NOT EXISTS golden_record_name_trgm ON mdm.golden_record
  USING gin ((lower(attributes->>'name')) public.gin_trgm_ops) WHERE active;
CREATE INDEX IF NOT EXISTS golden_record_tax_id ON mdm.golden_record (entity_type, (attributes->>'taxId')) WHERE active;
CREATE INDEX IF NOT EXISTS golden_record_domain ON mdm.golden_record (entity_type, (attributes->>'domain')) WHERE active;
CREATE INDEX IF NOT EXISTS golden_record_sku ON mdm.golden_record (entity_type, (attributes->>'sku')) WHERE active;
CREATE INDEX IF NOT EXISTS golden_record_gtin ON mdm.golden_record (entity_type, (attributes->>'gtin')) WHERE active;
CREATE INDEX IF NOT EXISTS match_candidate_pending ON mdm.match_candidate (entity_type, score DESC) WHERE status = 'pending';
-- Identifier search and incremental lookups go through the standardised source values.
CREATE INDEX IF NOT EXISTS source_record_tax_id ON mdm.source_record (entity_type, (standardized->>'taxId'));
CREATE INDEX IF NOT EXISTS source_record_domain ON mdm.source_record (entity_type, (standardized->>'domain'));
CREATE INDEX IF NOT EXISTS source_record_sku ON mdm.source_record (entity_type, (standardized->>'sku'));
CREATE INDEX IF NOT EXISTS source_record_gtin ON mdm.source_record (entity_type, (standardized->>'gtin'));
