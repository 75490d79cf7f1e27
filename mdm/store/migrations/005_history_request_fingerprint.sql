-- The fingerprint of the request a steward decision's idempotency key was
-- first used with (sha256 of its operation and arguments), so a retry with the
-- same key but a different request is refused instead of replaying the first
-- answer (as payment APIs refuse an idempotency key reused with other
-- parameters). Null on events written before it existed: those compare by
-- action only.
ALTER TABLE mdm.history ADD COLUMN IF NOT EXISTS request_fingerprint text;
