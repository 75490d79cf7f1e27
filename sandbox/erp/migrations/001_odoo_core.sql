-- A faithful subset of Odoo 17's own tables and columns (the names an Odoo
-- database really has), so the ERP subgraph can be pointed at a real Odoo
-- database by changing only its connection string and schema (ERP_SCHEMA).
-- Translatable fields (res_country.name, product_template.name) are jsonb keyed
-- by language, as Odoo 16+ stores them. Odoo keeps credit_limit as a
-- company-dependent property; a single-company subset keeps it as a column.
-- The placeholder schema name "erp" is replaced by the migration runner.

CREATE TABLE IF NOT EXISTS erp.res_currency (
  id          serial PRIMARY KEY,
  name        varchar NOT NULL UNIQUE,         -- ISO 4217 code, e.g. EUR
  symbol      varchar NOT NULL,
  active      boolean NOT NULL DEFAULT true
);

CREATE TABLE IF NOT EXISTS erp.res_country (
  id          serial PRIMARY KEY,
  name        jsonb NOT NULL,                  -- {"en_US": "Belgium"}
  code        varchar(2) NOT NULL UNIQUE,      -- ISO 3166-1 alpha-2
  phone_code  integer
);

CREATE TABLE IF NOT EXISTS erp.res_partner (
  id                     serial PRIMARY KEY,
  name                   varchar,
  complete_name          varchar,
  ref                    varchar,
  vat                    varchar,
  email                  varchar,
  phone                  varchar,
  mobile                 varchar,
  website                varchar,
  street                 varchar,
  street2                varchar,
  city                   varchar,
  zip                    varchar,
  country_id             integer REFERENCES erp.res_country(id),
  is_company             boolean NOT NULL DEFAULT false,
  parent_id              integer REFERENCES erp.res_partner(id),
  commercial_partner_id  integer REFERENCES erp.res_partner(id),
  type                   varchar NOT NULL DEFAULT 'contact',  -- contact | invoice | delivery | other
  customer_rank          integer NOT NULL DEFAULT 0,
  supplier_rank          integer NOT NULL DEFAULT 0,
  credit_limit           numeric(16, 2),
  lang                   varchar DEFAULT 'en_US',
  active                 boolean NOT NULL DEFAULT true,
  create_date            timestamp without time zone NOT NULL DEFAULT (now() at time zone 'utc'),
  write_date             timestamp without time zone NOT NULL DEFAULT (now() at time zone 'utc')
);
CREATE INDEX IF NOT EXISTS res_partner_parent_id_index ON erp.res_partner (parent_id);
CREATE INDEX IF NOT EXISTS res_partner_vat_index ON erp.res_partner (vat);

CREATE TABLE IF NOT EXISTS erp.product_template (
  id                 serial PRIMARY KEY,
  name               jsonb NOT NULL,            -- {"en_US": "Steel bolt M8"}
  description_sale   jsonb,
  type               varchar NOT NULL DEFAULT 'consu',   -- consu | service | combo
  is_storable        boolean NOT NULL DEFAULT true,
  list_price         numeric(16, 2) NOT NULL DEFAULT 0,
  active             boolean NOT NULL DEFAULT true,
  create_date        timestamp without time zone NOT NULL DEFAULT (now() at time zone 'utc'),
  write_date         timestamp without time zone NOT NULL DEFAULT (now() at time zone 'utc')
);

CREATE TABLE IF NOT EXISTS erp.product_product (
  id               serial PRIMARY KEY,
  product_tmpl_id  integer NOT NULL REFERENCES erp.product_template(id),
  default_code     varchar,                     -- internal reference = SKU
  barcode          varchar,                     -- GTIN / EAN-13
  active           boolean NOT NULL DEFAULT true,
  create_date      timestamp without time zone NOT NULL DEFAULT (now() at time zone 'utc'),
  write_date       timestamp without time zone NOT NULL DEFAULT (now() at time zone 'utc')
);
CREATE INDEX IF NOT EXISTS product_product_default_code_index ON erp.product_product (default_code);
CREATE INDEX IF NOT EXISTS product_product_product_tmpl_id_index ON erp.product_product (product_tmpl_id);

CREATE TABLE IF NOT EXISTS erp.stock_location (
  id             serial PRIMARY KEY,
  name           varchar NOT NULL,
  complete_name  varchar,
  usage          varchar NOT NULL DEFAULT 'internal',   -- internal | customer | supplier | ...
  active         boolean NOT NULL DEFAULT true
);

CREATE TABLE IF NOT EXISTS erp.stock_quant (
  id                 serial PRIMARY KEY,
  product_id         integer NOT NULL REFERENCES erp.product_product(id),
  location_id        integer NOT NULL REFERENCES erp.stock_location(id),
  quantity           numeric(16, 4) NOT NULL DEFAULT 0,
  reserved_quantity  numeric(16, 4) NOT NULL DEFAULT 0,
  in_date            timestamp without time zone,
  write_date         timestamp without time zone NOT NULL DEFAULT (now() at time zone 'utc')
);
CREATE INDEX IF NOT EXISTS stock_quant_product_id_index ON erp.stock_quant (product_id);

CREATE TABLE IF NOT EXISTS erp.sale_order (
  id               serial PRIMARY KEY,
  name             varchar NOT NULL,            -- S00042
  partner_id       integer NOT NULL REFERENCES erp.res_partner(id),
  date_order       timestamp without time zone NOT NULL,
  state            varchar NOT NULL DEFAULT 'draft',  -- draft | sent | sale | cancel
  amount_untaxed   numeric(16, 2) NOT NULL DEFAULT 0,
  amount_tax       numeric(16, 2) NOT NULL DEFAULT 0,
  amount_total     numeric(16, 2) NOT NULL DEFAULT 0,
  currency_id      integer REFERENCES erp.res_currency(id),
  client_order_ref varchar,
  create_date      timestamp without time zone NOT NULL DEFAULT (now() at time zone 'utc'),
  write_date       timestamp without time zone NOT NULL DEFAULT (now() at time zone 'utc')
);
CREATE INDEX IF NOT EXISTS sale_order_partner_id_index ON erp.sale_order (partner_id, date_order DESC);

CREATE TABLE IF NOT EXISTS erp.sale_order_line (
  id               serial PRIMARY KEY,
  order_id         integer NOT NULL REFERENCES erp.sale_order(id) ON DELETE CASCADE,
  sequence         integer NOT NULL DEFAULT 10,
  product_id       integer REFERENCES erp.product_product(id),
  name             text NOT NULL,
  product_uom_qty  numeric(16, 4) NOT NULL DEFAULT 1,
  price_unit       numeric(16, 2) NOT NULL DEFAULT 0,
  price_subtotal   numeric(16, 2) NOT NULL DEFAULT 0,
  price_total      numeric(16, 2) NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS sale_order_line_order_id_index ON erp.sale_order_line (order_id);

CREATE TABLE IF NOT EXISTS erp.account_move (
  id                serial PRIMARY KEY,
  name              varchar NOT NULL,           -- INV/2026/00042
  move_type         varchar NOT NULL,           -- entry | out_invoice | out_refund | in_invoice | ...
  state             varchar NOT NULL DEFAULT 'draft',   -- draft | posted | cancel
  partner_id        integer REFERENCES erp.res_partner(id),
  invoice_date      date,
  invoice_date_due  date,
  invoice_origin    varchar,                    -- the sale order's name
  amount_untaxed    numeric(16, 2) NOT NULL DEFAULT 0,
  amount_tax        numeric(16, 2) NOT NULL DEFAULT 0,
  amount_total      numeric(16, 2) NOT NULL DEFAULT 0,
  amount_residual   numeric(16, 2) NOT NULL DEFAULT 0,
  payment_state     varchar NOT NULL DEFAULT 'not_paid', -- not_paid | in_payment | paid | partial | reversed
  currency_id       integer REFERENCES erp.res_currency(id),
  create_date       timestamp without time zone NOT NULL DEFAULT (now() at time zone 'utc'),
  write_date        timestamp without time zone NOT NULL DEFAULT (now() at time zone 'utc')
);
CREATE INDEX IF NOT EXISTS account_move_partner_id_index ON erp.account_move (partner_id);
