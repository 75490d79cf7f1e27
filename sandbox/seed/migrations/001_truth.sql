-- Ground truth recorded by the seed generator: which source records are the
-- same real-world entity. Read by tests and by `concord mdm evaluate`;
-- never by the matcher.
CREATE TABLE IF NOT EXISTS truth.entity (
  entity_type  text NOT NULL,           -- customer | product
  system       text NOT NULL,           -- erp | crm
  source_id    text NOT NULL,           -- res_partner.id / product_product.id, or the HubSpot object id
  truth_id     text NOT NULL,           -- the real-world entity, e.g. company-00042
  PRIMARY KEY (entity_type, system, source_id)
);
CREATE INDEX IF NOT EXISTS entity_truth_id ON truth.entity (entity_type, truth_id);

CREATE TABLE IF NOT EXISTS truth.seed_run (
  id          serial PRIMARY KEY,
  seed        integer NOT NULL,
  companies   integer NOT NULL,
  products    integer NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
