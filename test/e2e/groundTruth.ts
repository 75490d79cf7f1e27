import type pg from 'pg';

/**
 * Reads, straight from the source systems' tables, what the customer 360 of a
 * golden customer must contain: the union of what its source records hold.
 * The e2e tests compare the graph's answer with this.
 */
export interface ExpectedCustomer360 {
  masterId: string;
  erpPartnerIds: string[];
  crmCompanyIds: string[];
  orderNumbers: string[];
  overdueInvoiceNumbers: string[];
  contactEmails: string[];
  openDealNames: string[];
  openTicketSubjects: string[];
}

export async function expectedCustomer360(pool: pg.Pool, masterId: string, lastOrders = 5): Promise<ExpectedCustomer360> {
  const xref = await pool.query<{ system: string; source_id: string }>(
    `SELECT system, source_id FROM mdm.xref WHERE entity_type = 'customer' AND master_id = $1`,
    [masterId],
  );
  const erpPartnerIds = xref.rows.filter((r) => r.system === 'erp').map((r) => r.source_id).sort();
  const crmCompanyIds = xref.rows.filter((r) => r.system === 'crm').map((r) => r.source_id).sort();
  const partnerInts = erpPartnerIds.map(Number);
  const companyInts = crmCompanyIds.map(Number);
  const orders = await pool.query<{ name: string }>(
    `SELECT name FROM erp.sale_order WHERE partner_id = ANY($1::int[]) ORDER BY date_order DESC, id DESC LIMIT $2`,
    [partnerInts, lastOrders],
  );
  const overdue = await pool.query<{ name: string }>(
    `SELECT name FROM erp.account_move
      WHERE partner_id = ANY($1::int[]) AND move_type = 'out_invoice' AND state = 'posted'
        AND amount_residual > 0 AND invoice_date_due < current_date`,
    [partnerInts],
  );
  const associated = (toType: string) =>
    pool.query<{ properties: Record<string, string> }>(
      `SELECT o.properties FROM crm.associations a
         JOIN crm.objects o ON o.object_type = a.to_type AND o.id = a.to_id
        WHERE a.from_type = 'companies' AND a.from_id = ANY($1::bigint[]) AND a.to_type = $2 AND NOT o.archived`,
      [companyInts, toType],
    );
  const contacts = await associated('contacts');
  const deals = await associated('deals');
  const tickets = await associated('tickets');
  return {
    masterId,
    erpPartnerIds,
    crmCompanyIds,
    orderNumbers: orders.rows.map((r) => r.name).sort(),
    overdueInvoiceNumbers: overdue.rows.map((r) => r.name).sort(),
    contactEmails: unique(contacts.rows.map((r) => r.properties.email ?? '')).sort(),
    openDealNames: deals.rows
      .filter((r) => r.properties.hs_is_closed !== 'true')
      .map((r) => r.properties.dealname)
      .sort(),
    openTicketSubjects: tickets.rows
      .filter((r) => r.properties.hs_pipeline_stage !== '4')
      .map((r) => r.properties.subject)
      .sort(),
  };
}

/**
 * Golden customers whose source records are exactly one real company of the
 * seed's ground truth (all of it, nothing else), with records in both systems:
 * the customers for which "the graph carries exactly the data of its source
 * records" is also "exactly the data of the real company".
 */
export async function correctlyMatchedCustomers(pool: pg.Pool, limit: number): Promise<Array<{ masterId: string; truthId: string }>> {
  const result = await pool.query<{ master_id: string; truth_id: string }>(
    `WITH members AS (
       SELECT x.master_id, t.truth_id, x.system
         FROM mdm.xref x
         JOIN truth.entity t ON t.entity_type = 'customer' AND t.system = x.system AND t.source_id = x.source_id
        WHERE x.entity_type = 'customer'),
     per_master AS (
       SELECT master_id, min(truth_id) AS truth_id, count(DISTINCT truth_id) AS truths, count(*) AS n,
              count(DISTINCT system) AS systems
         FROM members GROUP BY master_id),
     truth_size AS (
       SELECT truth_id, count(*) AS n FROM truth.entity WHERE entity_type = 'customer' GROUP BY truth_id)
     SELECT p.master_id, p.truth_id
       FROM per_master p JOIN truth_size s ON s.truth_id = p.truth_id
      WHERE p.truths = 1 AND p.n = s.n AND p.systems = 2
      ORDER BY p.truth_id
      LIMIT $1`,
    [limit],
  );
  return result.rows.map((r) => ({ masterId: r.master_id, truthId: r.truth_id }));
}

/** The master id of the seed's showcase company (truth id company-00001). */
export async function showcaseMasterId(pool: pg.Pool): Promise<string> {
  const result = await pool.query<{ master_id: string }>(
    `SELECT DISTINCT x.master_id FROM mdm.xref x
       JOIN truth.entity t ON t.entity_type = 'customer' AND t.system = x.system AND t.source_id = x.source_id
      WHERE x.entity_type = 'customer' AND t.truth_id = 'company-00001'`,
  );
  if (result.rowCount !== 1) throw new Error(`the showcase company maps to ${result.rowCount} golden customers, expected 1`);
  return result.rows[0].master_id;
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
