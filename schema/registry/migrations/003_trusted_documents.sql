-- Trusted documents (issue 14, ADR 0014): each client's manifest of the
-- operations it may run, in Apollo's persisted query manifest format. A new
-- publish replaces the client's manifest whole; who published what is in the
-- append-only audit log, like schema publishes.
CREATE TABLE IF NOT EXISTS registry.trusted_document_manifest (
  client          text        PRIMARY KEY,
  manifest        jsonb       NOT NULL,
  operation_count integer     NOT NULL,
  published_at    timestamptz NOT NULL DEFAULT now(),
  published_by    text        NOT NULL
);
ALTER TABLE registry.audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE registry.audit_log ADD CONSTRAINT audit_log_action_check
  CHECK (action IN ('publish', 'publish_refused', 'rollback', 'token_issued', 'token_revoked', 'documents_published'));
