-- cdc_redelivery: how many times the consumer got a source change again
-- after its first delivery (JetStream redelivering after a crash or a lapsed
-- ack wait, or a failing change retried), per source system, added up by the
-- consuming processes, so `concord cdc status` can show the running total
-- from another process. JetStream's own figure (num_redelivered) counts only
-- the redelivered changes still unacknowledged.
CREATE TABLE IF NOT EXISTS mdm.cdc_redelivery (
  system        text        PRIMARY KEY,
  redeliveries  bigint      NOT NULL DEFAULT 0,
  updated_at    timestamptz NOT NULL DEFAULT now()
);
