-- Every read of a PII or finance field through the gateway: who, when, which
-- operation, which fields, on which entities, and whether values were masked.
-- Append-only: updates, deletes and truncates are refused by triggers, so the
-- log can be trusted by whoever reads it (retention is a partition/archive job
-- run by the owner role, not an application DELETE).
CREATE TABLE audit.field_read (
  id bigserial PRIMARY KEY,
  read_at timestamptz NOT NULL DEFAULT now(),
  subject text NOT NULL,
  operation_name text,
  operation_hash text NOT NULL,
  fields text[] NOT NULL,
  entity_ids text[] NOT NULL DEFAULT '{}',
  masked boolean NOT NULL
);

CREATE INDEX field_read_read_at_idx ON audit.field_read (read_at DESC, id DESC);
CREATE INDEX field_read_subject_idx ON audit.field_read (subject, read_at DESC);

CREATE FUNCTION audit.field_read_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the field read audit log is append-only (% refused)', TG_OP USING ERRCODE = '42501';
END
$$;

CREATE TRIGGER field_read_append_only BEFORE UPDATE OR DELETE ON audit.field_read
  FOR EACH ROW EXECUTE FUNCTION audit.field_read_refuse_change();
CREATE TRIGGER field_read_no_truncate BEFORE TRUNCATE ON audit.field_read
  FOR EACH STATEMENT EXECUTE FUNCTION audit.field_read_refuse_change();
