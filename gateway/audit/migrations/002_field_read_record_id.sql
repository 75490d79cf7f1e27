-- Each record's own id, made by the gateway when it stores the record: a
-- record replayed from the gateway's local spool (written while the database
-- was down) is inserted ON CONFLICT (record_id) DO NOTHING, so a replay that
-- is interrupted and run again never stores a read twice. Null for rows
-- written before it existed (a unique index allows many nulls).
ALTER TABLE audit.field_read ADD COLUMN IF NOT EXISTS record_id uuid;
-- The x-request-id of the answer the read was part of, to find a read from a request (and back).
ALTER TABLE audit.field_read ADD COLUMN IF NOT EXISTS request_id text;
CREATE UNIQUE INDEX IF NOT EXISTS field_read_record_id_idx ON audit.field_read (record_id);
