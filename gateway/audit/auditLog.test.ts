import { buildSchema, parse, print } from 'graphql';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAuthorizationRules } from '../../platform/auth/directives.js';
import { userPrincipal, subjectOf, type Principal } from '../../platform/auth/principal.js';
import { createPool } from '../../platform/db/pool.js';
import { databaseTargets, type TestDatabase } from '../../test/support/databases.js';
import { applyFieldReads, planFieldReads } from '../pii/fieldReads.js';
import { createAuditLog, listFieldReads, migrateAudit, operationHash } from './auditLog.js';

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
    expect(await migrateAudit(pool)).toEqual(['001_field_read.sql']);
    expect(await migrateAudit(pool)).toEqual([]);
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it.skipIf(Boolean(target.unavailable))('records a PII read with subject and fields, and a masked read as masked', async () => {
    const log = createAuditLog({ pool, flushIntervalMs: 60_000 });
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

    const started = performance.now();
    for (const [principal, read] of [[finance, clear], [analyst, masked]] as const) {
      log.record({ subject: subjectOf(principal), operationName: 'Customers', operationHash: operationHash(source), ...read.summary });
    }
    expect(performance.now() - started).toBeLessThan(20); // queued, not written
    expect(log.stats.pending).toBe(2);
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

  it.skipIf(Boolean(target.unavailable))('writes big backlogs in batches and keeps records when the database fails', async () => {
    const log = createAuditLog({ pool, maxBatch: 50, flushIntervalMs: 60_000 });
    for (let i = 0; i < 120; i += 1) log.record({ subject: `u${i}`, operationName: null, operationHash: 'h', fields: ['Customer.taxId'], entityIds: [], masked: false });
    await log.close();
    expect(log.stats).toMatchObject({ written: 120, pending: 0, failed: 0 });

    const broken = createPool({ connectionString: 'postgres://nobody@127.0.0.1:1/none', max: 1 });
    const errors: Error[] = [];
    const failing = createAuditLog({ pool: broken, flushIntervalMs: 60_000, maxPending: 3, onError: (e) => errors.push(e) });
    for (let i = 0; i < 5; i += 1) failing.record({ subject: 's', operationName: null, operationHash: 'h', fields: ['f'], entityIds: [], masked: false });
    await failing.close();
    expect(failing.stats).toMatchObject({ written: 0, dropped: 2, pending: 3 });
    expect(errors.map((e) => e.message).join('\n')).toMatch(/dropped the 1 oldest[\s\S]*audit write failed/);
    await broken.end();
  });
});
