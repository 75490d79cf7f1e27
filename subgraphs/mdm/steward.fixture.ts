import type pg from 'pg';
import { crmTableReader, customerConfig, queueCandidates, runInitialLoad, type MatchDecision } from '../../mdm/index.js';
import { CRM_OBJECTS, seedCrmFixture, seedErpFixture } from '../../mdm/testing/fixtures.js';

/**
 * The steward tests' world: the engine's hand-made ERP and CRM fixture
 * (mdm/testing/fixtures.ts) plus
 *
 * - Globex: ERP partner 10 "Globex" and CRM company 110 "Globex Corporation",
 *   the same company (tax id written two ways, same web domain);
 * - CRM company 112 "Zenith Tools", maybe ERP partner 3 "Zenith Tools SA"
 *   (same name and city, no identifier in common): kept apart by the batch.
 *
 * The first load runs the real batch (deterministic mode, as the engine uses
 * for fewer than 100 records). That mode queues nothing, so the two pairs a
 * model-mode batch would put on the review queue are queued with the engine's
 * own `queueCandidates`, with explanations shaped as the scorer writes them:
 * Zenith (erp:3 ~ crm:112, 0.83) and Bolt & Nut (erp:2 ~ crm:102, 0.71), a
 * pair the batch merged and a steward doubts.
 */
export const STEWARD_CRM_OBJECTS: typeof CRM_OBJECTS = [
  ...CRM_OBJECTS,
  { type: 'companies', id: 110, properties: { name: 'Globex Corporation', domain: 'www.globex.example', vat: 'BE 0404.616.494', city: 'Antwerp', country: 'Belgium' } },
  { type: 'companies', id: 112, properties: { name: 'Zenith Tools', city: 'Bruxelles', country: 'Belgium' } },
];

export const QUEUED_DECISIONS: MatchDecision[] = [
  {
    left: 'erp:3', right: 'crm:112', weight: 2.29, probability: 0.83, outcome: 'review',
    contributions: [
      { attribute: 'name', level: 'exact', weight: 7.4, left: 'zenith tools', right: 'zenith tools' },
      { attribute: 'city', level: 'exact', weight: 3.1, left: 'bruxelles', right: 'bruxelles' },
      { attribute: 'domain', level: 'null', weight: 0, left: 'zenith-tools.be', right: null },
      { attribute: 'postcode', level: 'null', weight: 0, left: '1050', right: null },
    ],
  },
  {
    left: 'erp:2', right: 'crm:102', weight: 1.3, probability: 0.71, outcome: 'review',
    contributions: [
      { attribute: 'name', level: 'tokenSet>=0.75', weight: 3.2, left: 'bolt nut', right: 'bolt and nut' },
      { attribute: 'phone', level: 'else', weight: -4.5, left: '+3225551234', right: '+32025551234' },
    ],
  },
];

export async function installStewardFixture(pool: pg.Pool): Promise<void> {
  await seedErpFixture(pool);
  await pool.query(`INSERT INTO erp.res_partner (id, name, vat, email, phone, website, street, city, zip, country_id, is_company, customer_rank, write_date)
    VALUES (10, 'Globex', 'BE0404616494', 'hello@globex.example', '+32 3 222 33 44', 'https://globex.example', 'Meir 50', 'Antwerpen', '2000', 1, true, 1, '2026-01-01')
    ON CONFLICT DO NOTHING`);
  await seedCrmFixture(pool, STEWARD_CRM_OBJECTS);
  await runInitialLoad(pool, { actor: 'loader', crm: crmTableReader(pool), mode: 'deterministic' });
  await queueCandidates(pool, customerConfig, QUEUED_DECISIONS);
}
