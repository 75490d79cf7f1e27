import { parse } from 'graphql';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../../test/support/databases.js';
import { RegistryClient } from '../client/registryClient.js';
import { composeSupergraph } from '../checks/compose.js';
import { printCheckReport } from '../checks/report.js';
import { startRegistry, type RunningRegistry } from './server.js';
import { registrySupergraphSource } from '../client/supergraphSource.js';
import { collectFieldUsage, createUsageReporter } from '../client/usage.js';

const link = (imports: string[]) =>
  `extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ${JSON.stringify(imports)})`;

const mdmSdl = (fields: { legacyCode?: boolean; name?: boolean; taxIdScopes?: boolean } = {}) => `
${link(['@key', '@requiresScopes'])}
type Query { customer(id: ID!): Customer }
type Customer @key(fields: "id") {
  id: ID!
  ${fields.name === false ? '' : 'name: String'}
  ${fields.legacyCode === false ? '' : 'legacyCode: String'}
  taxId: String ${fields.taxIdScopes === false ? '' : '@requiresScopes(scopes: [["pii:read"]])'}
}`;

const erpSdl = (extra = '') => `
${link(['@key'])}
type Customer @key(fields: "id") { id: ID! openBalance: Float ${extra} }`;

const tokens = { admin: 'admin-secret', mdm: 'mdm-secret', erp: 'erp-secret', gateway: 'gateway-secret', read: 'read-secret' };

const targets = await databaseTargets();

for (const target of targets) {
  describe.skipIf(target.unavailable)(`schema registry on ${target.name}`, () => {
    let database: Awaited<ReturnType<typeof target.create>>;
    let registry: RunningRegistry;
    const as = (token: string) => new RegistryClient({ registryUrl: registry.url, token });
    const currentVersion = async () => (await as(tokens.read).fetchSupergraph()) as { version: number; sdl: string; etag: string };

    beforeAll(async () => {
      database = await target.create();
      registry = await startRegistry({
        databaseUrl: database.url,
        port: 0,
        bootstrapTokens: [
          { token: tokens.admin, scope: 'admin', label: 'platform admin' },
          { token: tokens.mdm, scope: 'publish', team: 'mdm-team' },
          { token: tokens.erp, scope: 'publish', team: 'erp-team' },
          { token: tokens.gateway, scope: 'gateway' },
          { token: tokens.read, scope: 'read' },
        ],
      });
    });

    afterAll(async () => {
      await registry?.close();
      await database?.drop();
    });

    it('publishes the first subgraphs and serves the composed supergraph with an ETag', async () => {
      const mdm = await as(tokens.mdm).publish({ subgraph: 'mdm', sdl: mdmSdl(), routingUrl: 'http://127.0.0.1:4003/graphql', commit: 'aaa111' });
      expect(mdm.published).toBe(true);
      const erp = await as(tokens.erp).publish({ subgraph: 'erp', sdl: erpSdl(), routingUrl: 'http://127.0.0.1:4001/graphql' });
      expect(erp.published).toBe(true);
      expect(erp.supergraphVersionId).toBeGreaterThan(mdm.supergraphVersionId!);

      const current = await currentVersion();
      expect(current.version).toBe(erp.supergraphVersionId);
      expect(current.sdl).toContain('openBalance: Float');
      expect(current.sdl).toContain('@join__graph(name: "mdm", url: "http://127.0.0.1:4003/graphql")');
      const again = await as(tokens.read).fetchSupergraph({ etag: current.etag });
      expect(again.notModified).toBe(true);

      const list = await as(tokens.read).listSubgraphs();
      expect(list.map((s) => [s.name, s.ownerTeam, s.currentVersion?.id !== undefined])).toEqual([
        ['erp', 'erp-team', true], ['mdm', 'mdm-team', true],
      ]);
      const history = await as(tokens.read).subgraphHistory('mdm');
      expect(history[0]).toMatchObject({ commit: 'aaa111', publishedBy: 'mdm-team publish' });
    });

    it('records operation usage sent by the gateway reporter', async () => {
      const api = composeSupergraph([
        { name: 'mdm', url: 'http://x', sdl: mdmSdl() }, { name: 'erp', url: 'http://y', sdl: erpSdl() },
      ]).apiSchema!;
      const query = 'query Customer360($id: ID!) { customer(id: $id) { name taxId openBalance } }';
      const fields = collectFieldUsage(api, parse(query));
      expect(fields).toEqual(['Customer.name', 'Customer.openBalance', 'Customer.taxId', 'Query.customer', 'Query.customer.id']);
      const reporter = createUsageReporter({ registryUrl: registry.url, token: tokens.gateway, flushIntervalMs: 60_000 });
      reporter.record({ hash: 'op-c360', name: 'Customer360', clientName: 'web', clientVersion: '1.2.0', fields });
      reporter.record({ hash: 'op-c360', name: 'Customer360', clientName: 'web', clientVersion: '1.2.0', fields, count: 4 });
      await reporter.stop();

      const db = new pg.Client({ connectionString: database.url });
      await db.connect();
      try {
        const { rows } = await db.query('SELECT client_name, client_version, count FROM registry.operation_usage WHERE operation_hash = $1', ['op-c360']);
        expect(rows).toEqual([{ client_name: 'web', client_version: '1.2.0', count: '5' }]);
      } finally {
        await db.end();
      }
    });

    it('refuses removing a field a recorded operation used, naming the operation and client', async () => {
      const before = await currentVersion();
      const result = await as(tokens.mdm).publish({ subgraph: 'mdm', sdl: mdmSdl({ name: false }) });
      expect(result.published).toBe(false);
      const removal = result.report.changes.find((c) => c.path === 'Customer.name')!;
      expect(removal).toMatchObject({ type: 'FIELD_REMOVED', verdict: 'breaking' });
      expect(removal.usedBy).toEqual([expect.objectContaining({ name: 'Customer360', clientName: 'web', clientVersion: '1.2.0', count: 5, coordinates: ['Customer.name'] })]);
      const text = printCheckReport(result.report);
      expect(text).toMatch(/^FAILED: check of subgraph "mdm"/);
      expect(text).toContain('used by Customer360 [op-c360] from web@1.2.0: 5 request(s)');
      expect((await currentVersion()).version).toBe(before.version);
    });

    it('passes removing a field no operation used, with a warning', async () => {
      const result = await as(tokens.mdm).publish({ subgraph: 'mdm', sdl: mdmSdl({ legacyCode: false }) });
      expect(result.published).toBe(true);
      expect(result.report.passed).toBe(true);
      expect(result.report.changes).toEqual([expect.objectContaining({ path: 'Customer.legacyCode', verdict: 'warning', usedBy: [] })]);
      expect(printCheckReport(result.report)).toContain('no operation used it within the window');
    });

    it('refuses a composition error with the composition message and leaves the supergraph alone', async () => {
      const before = await currentVersion();
      const result = await as(tokens.erp).publish({ subgraph: 'erp', sdl: erpSdl('name: Int') });
      expect(result.published).toBe(false);
      expect(result.report.composition.ok).toBe(false);
      const mismatch = result.report.composition.errors.find((e) => e.code === 'FIELD_TYPE_MISMATCH')!;
      expect(mismatch.message).toContain('Type of field "Customer.name" is incompatible across subgraphs');
      expect(mismatch.locations.map((l) => l.subgraph).sort()).toEqual(['erp', 'mdm']);
      const after = await currentVersion();
      expect(after.version).toBe(before.version);
      expect(after.sdl).toBe(before.sdl);
    });

    it('flags a field losing @requiresScopes as security-relevant until accepted', async () => {
      const refused = await as(tokens.mdm).check({ subgraph: 'mdm', sdl: mdmSdl({ legacyCode: false, taxIdScopes: false }) });
      expect(refused.passed).toBe(false);
      expect(refused.security.findings).toEqual([expect.objectContaining({ kind: 'REQUIRES_SCOPES_REMOVED', coordinate: 'Customer.taxId' })]);
      const accepted = await as(tokens.read).check({ subgraph: 'mdm', sdl: mdmSdl({ legacyCode: false, taxIdScopes: false }), acceptSecurityChanges: true });
      expect(accepted.passed).toBe(true);
    });

    it('rolls back to an earlier supergraph, and a subscribed gateway source receives it', async () => {
      const versions = await as(tokens.read).supergraphHistory();
      const withLegacyCode = versions.find((v) => !v.isCurrent && v.members.erp !== undefined)!;
      const source = registrySupergraphSource({ registryUrl: registry.url, token: tokens.read, pollIntervalMs: 100 });
      expect(await source.load()).not.toContain('legacyCode');
      const received = new Promise<string>((resolve) => {
        const unsubscribe = source.subscribe((sdl) => {
          unsubscribe();
          resolve(sdl);
        });
      });
      const result = await as(tokens.admin).rollback(withLegacyCode.id);
      expect(result.rolledBackTo).toBe(withLegacyCode.id);
      expect(await received).toContain('legacyCode: String');
      const current = await currentVersion();
      expect(current.version).toBe(result.supergraphVersionId);
      const [latest] = await as(tokens.read).supergraphHistory(1);
      expect(latest).toMatchObject({ action: 'rollback', rolledBackTo: withLegacyCode.id, isCurrent: true, members: withLegacyCode.members });
    });

    it('answers a long-poll as soon as a new supergraph is published', async () => {
      const { etag } = await currentVersion();
      const started = Date.now();
      const waiting = as(tokens.read).fetchSupergraph({ etag, waitMs: 10_000 });
      await new Promise((resolve) => setTimeout(resolve, 200));
      const published = await as(tokens.erp).publish({ subgraph: 'erp', sdl: erpSdl('creditLimit: Float') });
      expect(published.published).toBe(true);
      const answer = await waiting;
      expect(answer.notModified).toBe(false);
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    it("refuses a team token publishing another team's subgraph with 403, and unknown tokens with 401", async () => {
      await expect(as(tokens.erp).publish({ subgraph: 'mdm', sdl: mdmSdl() })).rejects.toMatchObject({ code: 'FORBIDDEN', status: 403 });
      await expect(as(tokens.read).publish({ subgraph: 'erp', sdl: erpSdl() })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(as(tokens.read).reportUsage([])).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(as('nobody').fetchSupergraph()).rejects.toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
      await expect(as('nobody').publish({ subgraph: 'erp', sdl: erpSdl() })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
      const anonymous = await fetch(`${registry.url}/v1/subgraphs`);
      expect(anonymous.status).toBe(401);
      expect(await anonymous.json()).toEqual({ error: { code: 'UNAUTHENTICATED', message: 'expected an "Authorization: Bearer <token>" header' } });
    });

    it('keeps an append-only audit log of publishes, refusals and rollbacks', async () => {
      const entries = await as(tokens.read).auditLog();
      expect(entries.map((e) => e.action).reverse()).toEqual([
        'publish', 'publish', 'publish_refused', 'publish', 'publish_refused', 'rollback', 'publish',
      ]);
      const db = new pg.Client({ connectionString: database.url });
      await db.connect();
      try {
        await expect(db.query('DELETE FROM registry.audit_log')).rejects.toThrow(/append-only/);
        await expect(db.query("UPDATE registry.audit_log SET actor = 'x'")).rejects.toThrow(/append-only/);
      } finally {
        await db.end();
      }
    });
  });
}
