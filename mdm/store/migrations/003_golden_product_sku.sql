-- The MDM subgraph resolves Product by its SKU (the key other subgraphs use):
-- an index on active product golden records' surviving SKU alone, beside
-- 002's (entity_type, sku) index that serves search across entity types.
CREATE INDEX IF NOT EXISTS golden_record_product_sku ON mdm.golden_record ((attributes->>'sku')) WHERE entity_type = 'product' AND active;
