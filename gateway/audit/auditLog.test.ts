import { buildSchema, parse, print } from 'graphql';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAuthorizationRules } from '../../platform/auth/directives.js';
import { userPrincipal, subjectOf, type Principal } from '../../platform/auth/principal.js';
import { createPool } from '../../platform/db/pool.js';
import { databaseTargets, type TestDatabase } from '../../test/support/databases.js';
import { applyFieldReads, planFieldReads } from '../pii/fieldReads.js';
import { listFieldReads, migrateAudit, operationHash } from './auditLog.js';
import { createDurableAuditLog } from './durableAuditLog.js';

const sdl = `
  directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT
  directive @pii(mask: PiiMask!) on FIELD_DEFINITION
  enum PiiMask { EMAIL PHONE NAME TAX_ID REDACT }
  type Query { customers: [Customer!]! }
  type Customer { id: ID! name: String primaryEmail: String @pii(mask: EMAIL) creditLimit: Float @requiresScopes(scopes: [["finance:read"]]) }
`;
const schema = buildSchema(sdl);
const rules = readAuthorizationRules(sdl);

/** What the gateway does after execution: plan + apply the sensitive reads, then record them. */
function readThroughGateway(principal: Principal, source: string, data: Record<string, unknown>) {
  const plan = planFieldReads(parse(source), schema, rules, principal);
  const summary = applyFieldReads(data, plan.reads);
  return { plan, summary, data };
}

const targets = await databaseTargets();

describe.each(targets)('audit.field_read on $name', (target) => {
  let database: TestDatabase;
  let pool: pg.Pool;
  beforeAll(async () => {
    if (target.unavailable) return;
    database = await target.create();
    pool = createPool({ connectionString: database.url, max: 4 });
    expect(await migrateAudit(pool)).toEqual(['001_field_read.sql', '002_field_read_record_id.sql']);
    expect(await migrateAudit(pool)).toEqual([]);
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it.skipIf(Boolean(target.unavailable))('records a PII read with subject and fields, and a masked read as masked', async () => {
    const log = createDurableAuditLog({ pool });
    const source = 'query Customers { customers { name primaryEmail creditLimit } }';
    const plan = planFieldReads(parse(source), schema, rules, userPrincipal('x', []));
    expect(print(plan.document)).toContain('_concordId: id'); // the entity ids the audit records

    const finance = userPrincipal('demo-finance', ['finance:read', 'pii:read']);
    const clear = readThroughGateway(finance, source, {
      customers: [{ name: 'Acme', primaryEmail: 'jane@acme.test', creditLimit: 10, _concordId: 'c1' }, { name: 'Globex', primaryEmail: null, creditLimit: 5, _concordId: 'c2' }],
    });
    expect(clear.summary).toEqual({ fields: ['Customer.creditLimit', 'Customer.primaryEmail'], entityIds: ['c1', 'c2'], masked: false });

    const analyst = userPrincipal('demo-analyst', ['finance:read']);
    const masked = readThroughGateway(analyst, source, { customers: [{ name: 'Acme', primaryEmail: 'jane@acme.test', creditLimit: 10, _concordId: 'c1' }] });
    expect(masked.data).toEqual({ customers: [{ name: 'Acme', primaryEmail: 'j•••@acme.test', creditLimit: 10, _concordId: 'c1' }] });
    expect(masked.summary.masked).toBe(true);

    // Stored before record() resolves: the gateway answers only after that.
    for (const [principal, read] of [[finance, clear], [analyst, masked]] as const) {
      expect(await log.record({ subject: subjectOf(principal), operationName: 'Customers', operationHash: operationHash(source), ...read.summary })).toBe('database');
    }
    await log.close();

    const rows = await listFieldReads(pool);
    expect(rows.map(({ subject, fields, entityIds, masked: m, operationName }) => ({ subject, fields, entityIds, masked: m, operationName }))).toEqual([
      { subject: 'demo-analyst', fields: ['Customer.creditLimit', 'Customer.primaryEmail'], entityIds: ['c1'], masked: true, operationName: 'Customers' },
      { subject: 'demo-finance', fields: ['Customer.creditLimit', 'Customer.primaryEmail'], entityIds: ['c1', 'c2'], masked: false, operationName: 'Customers' },
    ]);
    expect(rows[0].operationHash).toBe(operationHash(source));
    expect(await listFieldReads(pool, { subject: 'demo-finance' })).toHaveLength(1);
    expect(await listFieldReads(pool, { field: 'Customer.primaryEmail', limit: 1 })).toHaveLength(1);
  });

  it.skipIf(Boolean(target.unavailable))('is append-only', async () => {
    await pool.query(`INSERT INTO audit.field_read (subject, operation_hash, fields, masked) VALUES ($1, $2, $3, $4)`, ['u', 'h', ['Customer.taxId'], false]);
    await expect(pool.query('UPDATE audit.field_read SET masked = true')).rejects.toThrow(/append-only/);
    await expect(pool.query('DELETE FROM audit.field_read')).rejects.toThrow(/append-only/);
    await expect(pool.query('TRUNCATE audit.field_read')).rejects.toThrow(/append-only/);
  });

  it.skipIf(Boolean(target.unavailable))('writes records of the same moment in one batch, each once', async () => {
    const log = createDurableAuditLog({ pool, maxBatch: 50 });
    const stored = await Promise.all(Array.from({ length: 120 }, (_, i) =>
      log.record({ subject: `u${i}`, operationName: null, operationHash: 'h', fields: ['Customer.taxId'], entityIds: [], masked: false, requestId: `batch-${i}` })));
    await log.close();
    expect(stored.every((s) => s === 'database')).toBe(true);
    expect(log.stats).toMatchObject({ database: 120, spooled: 0, refused: 0 });
    const { rows } = await pool.query(`SELECT count(*)::int AS n, count(DISTINCT record_id)::int AS ids FROM audit.field_read WHERE request_id LIKE 'batch-%'`);
    expect(rows[0]).toEqual({ n: 120, ids: 120 });
  });
});
