import { readCrmCompanies } from '../sources/crm.js';
import { readErpCustomers } from '../sources/erp.js';
import { readMembership, readQuarantined } from '../sources/mdm.js';
import type { FindingDraft, Job } from '../types.js';

const DAY = 86_400_000;

/**
 * Coverage: how much of the sources the master data covers, and how fresh.
 *
 * - source_without_golden: an ERP customer or CRM company no golden record
 *   holds (created after the last match, or never loaded);
 * - single_source_golden: a golden customer or product only one source
 *   record speaks for (known to one system only);
 * - stale_record: an ERP customer or CRM company not changed in the source
 *   for `staleDays`;
 * - quarantined_record: a record the ingestion validation holds back
 *   (mdm.quarantined_record, when that table exists).
 */
export const reconcileCoverage: Job = async ({ pool, erpPool, crm, config, asOf }) => {
  const [customers, products, partners, companies, quarantined] = await Promise.all([
    readMembership(pool, 'customer'),
    readMembership(pool, 'product'),
    readErpCustomers(erpPool, config.erpSchema),
    readCrmCompanies(crm),
    readQuarantined(pool),
  ]);
  const findings: FindingDraft[] = [];
  // Whole days: stale means unchanged before UTC midnight `staleDays` days before asOf's day, so a
  // run's result does not depend on the hour it runs at.
  const cutoff = Date.UTC(asOf.getUTCFullYear(), asOf.getUTCMonth(), asOf.getUTCDate()) - config.staleDays * DAY;
  const sources = [
    ...partners.map((p) => ({ system: 'erp' as const, type: 'res_partner', id: p.id, name: p.name, changedAt: p.writtenAt })),
    ...companies.map((c) => ({ system: 'crm' as const, type: 'companies', id: c.id, name: c.name, changedAt: c.modifiedAt })),
  ];
  for (const s of sources) {
    const ref = `${s.system}:${s.id}`;
    const master = customers.masterOf.get(ref) ?? null;
    const record = { system: s.system, type: s.type, id: s.id, label: s.name ?? undefined, values: { changedAt: s.changedAt === null ? null : new Date(s.changedAt).toISOString() } };
    if (!master) {
      findings.push({ kind: 'source_without_golden', key: `customer|${ref}`, entityType: 'customer', masterId: null, summary: `${s.system.toUpperCase()} customer "${s.name ?? s.id}" has no golden record`, records: [record] });
    }
    if (s.changedAt !== null && s.changedAt < cutoff) {
      findings.push({
        kind: 'stale_record', key: `customer|${ref}`, entityType: 'customer', masterId: master,
        summary: `${s.system.toUpperCase()} customer "${s.name ?? s.id}" not changed since ${new Date(s.changedAt).toISOString().slice(0, 10)}`,
        records: [record], detail: { staleDays: config.staleDays, daysUnchanged: Math.floor((asOf.getTime() - s.changedAt) / DAY) },
      });
    }
  }
  for (const [entityType, membership] of [['customer', customers], ['product', products]] as const) {
    for (const [masterId, refs] of membership.sourcesOf) {
      if (refs.length !== 1) continue;
      const [system, id] = splitRef(refs[0]);
      findings.push({
        kind: 'single_source_golden', key: `${entityType}|${refs[0]}`, entityType, masterId,
        summary: `Golden ${entityType} ${masterId} is known to the ${system.toUpperCase()} only`,
        records: [{ system: system === 'crm' ? 'crm' : 'erp', type: entityType === 'customer' ? (system === 'crm' ? 'companies' : 'res_partner') : (system === 'crm' ? 'products' : 'product_product'), id }],
      });
    }
  }
  for (const q of quarantined) {
    findings.push({
      kind: 'quarantined_record', key: `${q.entity}|${q.system}:${q.sourceId}|${q.ruleCode}`,
      entityType: q.entity === 'product' ? 'product' : 'customer', masterId: null,
      summary: `${q.system.toUpperCase()} ${q.entity} ${q.sourceId} held back by ingestion: ${q.message}`,
      records: [{ system: q.system === 'crm' ? 'crm' : 'erp', type: q.entity, id: q.sourceId }],
      detail: { ruleCode: q.ruleCode, message: q.message, quarantinedAt: q.quarantinedAt },
    });
  }
  return { findings };
};

function splitRef(ref: string): [string, string] {
  const i = ref.indexOf(':');
  return [ref.slice(0, i), ref.slice(i + 1)];
}
