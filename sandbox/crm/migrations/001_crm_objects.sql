-- Storage of the HubSpot-compatible CRM stand-in. HubSpot's objects are bags of
-- string properties with a numeric id; associations are typed edges between
-- two objects (v4 association type ids, e.g. 280 = contact→company).
CREATE TABLE IF NOT EXISTS crm.objects (
  object_type  text        NOT NULL,   -- companies | contacts | deals | tickets | products | line_items
  id           bigint      NOT NULL,
  properties   jsonb       NOT NULL DEFAULT '{}'::jsonb,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  archived     boolean     NOT NULL DEFAULT false,
  PRIMARY KEY (object_type, id)
);
CREATE INDEX IF NOT EXISTS objects_properties_gin ON crm.objects USING gin (properties jsonb_path_ops);

CREATE TABLE IF NOT EXISTS crm.associations (
  from_type     text    NOT NULL,
  from_id       bigint  NOT NULL,
  to_type       text    NOT NULL,
  to_id         bigint  NOT NULL,
  type_id       integer NOT NULL,
  category      text    NOT NULL DEFAULT 'HUBSPOT_DEFINED',
  label         text,
  PRIMARY KEY (from_type, from_id, to_type, to_id, type_id)
);
CREATE INDEX IF NOT EXISTS associations_reverse ON crm.associations (to_type, to_id);

CREATE SEQUENCE IF NOT EXISTS crm.object_id_seq START 10000001;
