-- Tokens issued and revoked at runtime by an admin (POST /v1/tokens,
-- DELETE /v1/tokens/:id) go to the same append-only audit log as publishes
-- and rollbacks, so "who could publish what, and since when" is answerable
-- from one log. Only the check constraint widens: the append-only triggers
-- stay, and ALTER TABLE is not a row UPDATE so they do not fire.
ALTER TABLE registry.audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE registry.audit_log ADD CONSTRAINT audit_log_action_check
  CHECK (action IN ('publish', 'publish_refused', 'rollback', 'token_issued', 'token_revoked'));
