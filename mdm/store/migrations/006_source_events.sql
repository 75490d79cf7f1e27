-- Live master data (change capture, events/): the MDM store keeps what makes
-- applying source changes exactly-once in effect and resumable.
-- processed_event: every source change applied, by its event id, written in
--   the transaction that applied it: a redelivered event finds its row and
--   changes nothing (but its golden-record changes are published again, in
--   case the first delivery died between commit and publish). Kept for `retention` (see events/config.ts), pruned by age.
-- capture_position: each capture's durable position (the ERP watermark
--   write_date + id, the CRM sweep's hs_lastmodifieddate), advanced only after
--   the changes before it are safely applied or in the broker.
CREATE TABLE IF NOT EXISTS mdm.processed_event (
  event_id      text        PRIMARY KEY,
  entity_type   text        NOT NULL,
  system        text        NOT NULL,
  source_id     text        NOT NULL,
  outcome       text        NOT NULL,  -- applied | unchanged | stale | absent | quarantined
  history_id    bigint,
  golden_changes jsonb      NOT NULL DEFAULT '[]'::jsonb,  -- what it changed, republished on a redelivery
  processed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS processed_event_at ON mdm.processed_event (processed_at);

CREATE TABLE IF NOT EXISTS mdm.capture_position (
  source        text        PRIMARY KEY,
  position      jsonb       NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  last_error    text,        -- the capture's last failure, for `concord cdc status`
  last_error_at timestamptz
);

-- quarantined_record: source records that broke a validation rule at
-- ingestion (tax id check digits, unknown country, empty name, malformed
-- email): not matched, listed for stewards, one open row per record and rule;
-- released (released_at set) when a later change of the record passes.
CREATE TABLE IF NOT EXISTS mdm.quarantined_record (
  id              bigserial   PRIMARY KEY,
  entity          text        NOT NULL,
  source_system   text        NOT NULL,
  source_id       text        NOT NULL,
  rule_code       text        NOT NULL,
  message         text        NOT NULL,
  raw_record      jsonb       NOT NULL,
  source_event_id text,
  quarantined_at  timestamptz NOT NULL DEFAULT now(),
  released_at     timestamptz
);
CREATE UNIQUE INDEX IF NOT EXISTS quarantined_record_open
  ON mdm.quarantined_record (entity, source_system, source_id, rule_code) WHERE released_at IS NULL;
CREATE INDEX IF NOT EXISTS quarantined_record_listing ON mdm.quarantined_record (quarantined_at DESC) WHERE released_at IS NULL;

-- dead_letter_event: source changes the consumer gave up on after the
-- maximum deliveries, with the reason, when no broker keeps them (the
-- in-process pipeline); with NATS JetStream the dead-letter stream keeps them.
CREATE TABLE IF NOT EXISTS mdm.dead_letter_event (
  event_id    text        PRIMARY KEY,
  subject     text        NOT NULL,
  payload     jsonb       NOT NULL,
  reason      text        NOT NULL,
  deliveries  integer     NOT NULL,
  dead_at     timestamptz NOT NULL DEFAULT now()
);

-- crm_webhook_event: HubSpot webhook event ids already taken by the receiver
-- (HubSpot retries, and may send an event twice): a seen id is not published
-- again.
CREATE TABLE IF NOT EXISTS mdm.crm_webhook_event (
  event_id     bigint      PRIMARY KEY,
  received_at  timestamptz NOT NULL DEFAULT now()
);
