-- Schema registry storage. Tables are written `registry.x`; migrate() replaces
-- the prefix with the configured schema name.

-- Teams own subgraphs; a team's publish token publishes only its subgraphs.
CREATE TABLE registry.team (
  name text PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Tokens are stored as SHA-256 digests only: they are long random secrets, so
-- a fast hash is enough (no dictionary to resist) and lookup stays one index
-- probe per request. scope: read (read + check), gateway (read + usage
-- reports), publish (read + check + publish the team's own subgraphs), admin
-- (everything, including rollback and publishing for any team).
CREATE TABLE registry.token (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  token_hash text NOT NULL UNIQUE,
  scope text NOT NULL CHECK (scope IN ('read', 'gateway', 'publish', 'admin')),
  team text REFERENCES registry.team (name),
  label text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  CHECK (scope <> 'publish' OR team IS NOT NULL)
);

CREATE TABLE registry.subgraph (
  name text PRIMARY KEY,
  routing_url text NOT NULL,
  owner_team text NOT NULL REFERENCES registry.team (name),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Every SDL ever published for a subgraph, with who, when and from which commit.
CREATE TABLE registry.subgraph_version (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  subgraph text NOT NULL REFERENCES registry.subgraph (name),
  sdl text NOT NULL,
  sdl_hash text NOT NULL,
  routing_url text NOT NULL,
  published_by text NOT NULL,
  commit_sha text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX subgraph_version_by_subgraph ON registry.subgraph_version (subgraph, id DESC);

-- Every composed supergraph. Exactly one row is current (the partial unique
-- index enforces it); publish and rollback flip it inside one transaction.
-- A rollback inserts a new row copying an earlier one (rolled_back_to), so
-- history stays linear and every gateway sees a new version id (ETag).
CREATE TABLE registry.supergraph_version (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  supergraph_sdl text NOT NULL,
  sdl_hash text NOT NULL,
  is_current boolean NOT NULL DEFAULT false,
  action text NOT NULL CHECK (action IN ('publish', 'rollback')),
  created_by text NOT NULL,
  rolled_back_to bigint REFERENCES registry.supergraph_version (id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX supergraph_version_one_current ON registry.supergraph_version ((is_current)) WHERE is_current;

-- Which subgraph versions a supergraph version was composed from.
CREATE TABLE registry.supergraph_member (
  supergraph_version_id bigint NOT NULL REFERENCES registry.supergraph_version (id),
  subgraph_version_id bigint NOT NULL REFERENCES registry.subgraph_version (id),
  PRIMARY KEY (supergraph_version_id, subgraph_version_id)
);

-- Operations seen by the gateways: the schema coordinates each one uses.
CREATE TABLE registry.operation (
  hash text PRIMARY KEY,
  name text,
  fields text[] NOT NULL,
  first_seen timestamptz NOT NULL DEFAULT now(),
  last_seen timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX operation_fields ON registry.operation USING gin (fields);

-- Use per operation, client and day; days older than the retention window are
-- deleted, and checks only count use inside the window.
CREATE TABLE registry.operation_usage (
  operation_hash text NOT NULL REFERENCES registry.operation (hash) ON DELETE CASCADE,
  client_name text NOT NULL,
  client_version text NOT NULL,
  day date NOT NULL,
  count bigint NOT NULL,
  last_seen timestamptz NOT NULL,
  PRIMARY KEY (operation_hash, client_name, client_version, day)
);
CREATE INDEX operation_usage_by_day ON registry.operation_usage (day);

-- Append-only log of publishes and rollbacks (and refused publishes).
CREATE TABLE registry.audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL,
  action text NOT NULL CHECK (action IN ('publish', 'publish_refused', 'rollback')),
  subgraph text,
  supergraph_version_id bigint,
  detail jsonb NOT NULL DEFAULT '{}'::jsonb
);

CREATE FUNCTION registry.audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'registry audit log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON registry.audit_log
  FOR EACH ROW EXECUTE FUNCTION registry.audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON registry.audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION registry.audit_log_append_only();
