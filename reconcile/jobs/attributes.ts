import { refSet } from '../findingId.js';
import { readGoldenRecords, readMembership, readSourceRecords } from '../sources/mdm.js';
import type { FindingDraft, Job } from '../types.js';

/**
 * Customer and product attributes: where the source records linked to one
 * golden record hold different values, compared in the MDM's standardised
 * form (so "DE 811 234 560" and "DE811234560" agree), with the value
 * survivorship chose and where it came from.
 *
 * Names and streets are not compared: the sources write them differently by
 * habit (legal forms, abbreviations, typos), which the matcher sees through;
 * a difference there is not a disagreement about the facts. Identifiers,
 * domains, postcodes, countries and prices are facts.
 */
export const COMPARED_ATTRIBUTES = {
  customer: ['taxId', 'domain', 'emailDomain', 'postcode', 'country'],
  product: ['listPrice', 'gtin'],
} as const;

export const reconcileAttributes: Job = async ({ pool }) => {
  const findings: FindingDraft[] = [];
  for (const entityType of ['customer', 'product'] as const) {
    const [membership, records, goldens] = await Promise.all([
      readMembership(pool, entityType), readSourceRecords(pool, entityType), readGoldenRecords(pool, entityType),
    ]);
    const byRef = new Map(records.map((r) => [`${r.system}:${r.sourceId}`, r]));
    for (const [masterId, refs] of membership.sourcesOf) {
      if (refs.length < 2) continue;
      const golden = goldens.get(masterId);
      for (const attribute of COMPARED_ATTRIBUTES[entityType]) {
        const values = refs.map((ref) => {
          const record = byRef.get(ref);
          const std = attribute === 'emailDomain' ? emailDomain(record?.standardized.primaryEmail) : record?.standardized[attribute] ?? null;
          const raw = attribute === 'emailDomain' ? record?.attributes.primaryEmail : record?.attributes[attribute];
          return { ref, record, std, raw: raw === undefined ? null : raw };
        });
        const distinct = new Set(values.map((v) => v.std).filter((v): v is string => v !== null && v !== ''));
        if (distinct.size < 2) continue;
        const survivorAttribute = attribute === 'emailDomain' ? 'primaryEmail' : attribute;
        const survivor = golden?.attributes[survivorAttribute] ?? null;
        const provenance = golden?.provenance[survivorAttribute];
        findings.push({
          kind: 'attribute_conflict',
          key: `${entityType}|${attribute}|${refSet(refs)}`,
          entityType,
          masterId,
          // The values stay out of the summary: a tax id is masked for readers without pii:read.
          summary: `${entityType === 'customer' ? 'Customer' : 'Product'} "${String(golden?.attributes.name ?? masterId)}": ${distinct.size} sources disagree on ${attribute}`,
          records: values.map((v) => ({
            system: v.record?.system === 'crm' ? 'crm' : 'erp',
            type: entityType === 'customer' ? (v.record?.system === 'crm' ? 'companies' : 'res_partner') : (v.record?.system === 'crm' ? 'products' : 'product_product'),
            id: v.record?.sourceId ?? v.ref,
            label: typeof v.record?.attributes.name === 'string' ? v.record.attributes.name : undefined,
            values: { [attribute]: v.raw === null ? null : String(v.raw), standardised: v.std },
          })),
          detail: {
            attribute,
            values: [...distinct],
            survivor: survivor === null || survivor === undefined ? null : String(survivor),
            survivorSource: provenance?.system && provenance?.sourceId ? `${provenance.system}:${provenance.sourceId}` : null,
            survivorRule: provenance?.rule ?? null,
          },
        });
      }
    }
  }
  return { findings };
};

function emailDomain(email: string | null | undefined): string | null {
  if (!email) return null;
  const at = email.lastIndexOf('@');
  return at < 0 ? null : email.slice(at + 1);
}
