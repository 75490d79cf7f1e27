-- Term frequencies, so incremental matching weighs a common value (a frequent
-- surname, a city) exactly as the batch does (Splink's term-frequency
-- adjustment: u for agreeing on a value is the value's share of records).
-- term_frequency: per entity type and tf-adjusted attribute, how many source
--   records hold each standardised value. Written whole by every batch,
--   kept current by matchOne (one record's old values out, new values in).
-- term_frequency_total: per attribute, the records holding any value (the
--   denominator of the share).
CREATE TABLE IF NOT EXISTS mdm.term_frequency (
  entity_type  text    NOT NULL,
  attribute    text    NOT NULL,
  value        text    NOT NULL,
  records      integer NOT NULL,
  PRIMARY KEY (entity_type, attribute, value)
);

CREATE TABLE IF NOT EXISTS mdm.term_frequency_total (
  entity_type  text    NOT NULL,
  attribute    text    NOT NULL,
  records      integer NOT NULL,
  PRIMARY KEY (entity_type, attribute)
);

-- matchOne reads every ruling that names its record, on either side; the
-- primary key serves the left side, this index the right.
CREATE INDEX IF NOT EXISTS steward_decision_right ON mdm.steward_decision (entity_type, right_system, right_id);
