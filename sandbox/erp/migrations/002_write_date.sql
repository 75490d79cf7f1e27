-- Odoo's ORM stamps write_date on every write; SQL typed into the sandbox
-- bypasses the ORM, so this trigger does what the ORM would: an UPDATE that
-- does not set write_date itself gets the current UTC time. Change capture by
-- watermark (events/capture) reads write_date, so a demo "UPDATE res_partner
-- SET name = …" is seen like an edit in Odoo's UI. The index serves the
-- capture's (write_date, id) keyset reads.
CREATE OR REPLACE FUNCTION erp.concord_touch_write_date() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.write_date IS NOT DISTINCT FROM OLD.write_date THEN
    NEW.write_date := now() AT TIME ZONE 'utc';
  END IF;
  RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS concord_touch_write_date ON erp.res_partner;
CREATE TRIGGER concord_touch_write_date BEFORE UPDATE ON erp.res_partner FOR EACH ROW EXECUTE FUNCTION erp.concord_touch_write_date();
DROP TRIGGER IF EXISTS concord_touch_write_date ON erp.product_template;
CREATE TRIGGER concord_touch_write_date BEFORE UPDATE ON erp.product_template FOR EACH ROW EXECUTE FUNCTION erp.concord_touch_write_date();
DROP TRIGGER IF EXISTS concord_touch_write_date ON erp.product_product;
CREATE TRIGGER concord_touch_write_date BEFORE UPDATE ON erp.product_product FOR EACH ROW EXECUTE FUNCTION erp.concord_touch_write_date();

CREATE INDEX IF NOT EXISTS res_partner_write_date_index ON erp.res_partner (write_date, id);
CREATE INDEX IF NOT EXISTS product_product_write_date_index ON erp.product_product (write_date, id);
CREATE INDEX IF NOT EXISTS product_template_write_date_index ON erp.product_template (write_date, id);
