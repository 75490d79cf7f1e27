import { describe, expect, it } from 'vitest';
import { loadGatewayConfig, resolveGatewayConfig } from './config.js';

describe('loadGatewayConfig', () => {
  it('defaults to port 4000 on 127.0.0.1, composing the three local subgraphs, in development mode', () => {
    const config = loadGatewayConfig({});
    expect(config).toMatchObject({ port: 4000, host: '127.0.0.1', production: false, introspection: true, supergraphPath: undefined });
    expect(config.subgraphs).toEqual([
      { name: 'erp', url: 'http://127.0.0.1:4001/graphql' },
      { name: 'crm', url: 'http://127.0.0.1:4002/graphql' },
      { name: 'mdm', url: 'http://127.0.0.1:4003/graphql' },
    ]);
  });

  it('turns production mode on with NODE_ENV=production; introspection then stays for explore-scoped callers unless turned off', () => {
    expect(loadGatewayConfig({ NODE_ENV: 'production' })).toMatchObject({ production: true, introspection: true });
    expect(loadGatewayConfig({ NODE_ENV: 'production', GATEWAY_INTROSPECTION: 'false' })).toMatchObject({ introspection: false });
  });

  it('always configures security, with the demo issuer and the limits defaults unless told otherwise', () => {
    const config = loadGatewayConfig({ CONCORD_GATEWAY_PROOF_SECRET: 'x'.repeat(32), DATABASE_URL: 'postgres://db/concord' });
    expect(config.security).toMatchObject({ auth: { mode: 'demo' }, authorizationMode: 'filter', gatewayProof: { secret: 'x'.repeat(32) } });
    expect(config).toMatchObject({ maxBodyBytes: 102_400, batching: false, maxBatchSize: 10, databaseUrl: 'postgres://db/concord' });
    expect(loadGatewayConfig({ AUDIT_DATABASE_URL: 'postgres://audit/a', DATABASE_URL: 'postgres://db/concord' }).databaseUrl).toBe('postgres://audit/a');
    expect(() => loadGatewayConfig({ AUTHORIZATION_MODE: 'maybe' })).toThrow(/AUTHORIZATION_MODE: expected one of filter, reject/);
    expect(() => loadGatewayConfig({ CONCORD_GATEWAY_PROOF_SECRET: 'short' })).toThrow(/CONCORD_GATEWAY_PROOF_SECRET: expected at least 32 characters/);
  });

  it("splits an audited answer's time: the audit database 1000 ms at most, 200 ms kept for the spool, the reserve below the request deadline", () => {
    expect(loadGatewayConfig({}).auditBudget).toEqual({ databaseTimeoutMs: 1_000, spoolReserveMs: 200 });
    expect(loadGatewayConfig({ AUDIT_DB_TIMEOUT_MS: '400', AUDIT_SPOOL_RESERVE_MS: '50' }).auditBudget).toEqual({ databaseTimeoutMs: 400, spoolReserveMs: 50 });
    expect(() => loadGatewayConfig({ AUDIT_DB_TIMEOUT_MS: '0' })).toThrow('invalid configuration AUDIT_DB_TIMEOUT_MS: expected an integer from 1 to 60000, got "0"');
    expect(() => loadGatewayConfig({ GATEWAY_REQUEST_TIMEOUT_MS: '300', AUDIT_SPOOL_RESERVE_MS: '300' }))
      .toThrow('invalid configuration AUDIT_SPOOL_RESERVE_MS: expected an integer below GATEWAY_REQUEST_TIMEOUT_MS (300), got "300"');
  });

  it('reads the subgraph URLs, the supergraph path and the port from the environment', () => {
    const config = loadGatewayConfig({ PORT: '0', CRM_SUBGRAPH_URL: 'http://crm:4002/graphql', SUPERGRAPH_PATH: '/etc/concord/supergraph.graphql' });
    expect(config.port).toBe(0);
    expect(config.subgraphs[1]).toEqual({ name: 'crm', url: 'http://crm:4002/graphql' });
    expect(config.supergraphPath).toBe('/etc/concord/supergraph.graphql');
  });

  it('reads the merging of concurrent entity fetches: 0 in flight turns it off, a negative value is refused', () => {
    expect(loadGatewayConfig({ SUBGRAPH_ENTITY_BATCH_IN_FLIGHT: '0', SUBGRAPH_ENTITY_BATCH_MAX: '50', SUBGRAPH_ENTITY_BATCH_MAX_WAIT_MS: '10' }))
      .toMatchObject({ entityBatchInFlight: 0, entityBatchMaxRepresentations: 50, entityBatchMaxWaitMs: 10 });
    expect(() => loadGatewayConfig({ SUBGRAPH_ENTITY_BATCH_IN_FLIGHT: '-1' })).toThrow(/SUBGRAPH_ENTITY_BATCH_IN_FLIGHT/);
    expect(() => loadGatewayConfig({ SUBGRAPH_ENTITY_BATCH_MAX: '0' })).toThrow(/SUBGRAPH_ENTITY_BATCH_MAX/);
    expect(loadGatewayConfig({}).entityBatchLingerMs).toBe(20);
    expect(loadGatewayConfig({ SUBGRAPH_ENTITY_BATCH_LINGER_MS: '0' }).entityBatchLingerMs).toBe(0);
    expect(() => loadGatewayConfig({ SUBGRAPH_ENTITY_BATCH_LINGER_MS: '-5' })).toThrow(/SUBGRAPH_ENTITY_BATCH_LINGER_MS/);
  });

  it('names the variable, what it expected and what came when a value is bad', () => {
    expect(() => loadGatewayConfig({ PORT: 'eighty' })).toThrow('invalid configuration PORT: expected an integer from 0 to 65535, got "eighty"');
    expect(() => loadGatewayConfig({ ERP_SUBGRAPH_URL: 'not a url' })).toThrow(/ERP_SUBGRAPH_URL: expected an absolute URL/);
    expect(() => loadGatewayConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL: expected one of silent/);
  });
});

describe('resolveGatewayConfig', () => {
  it('fills the documented defaults', () => {
    const resolved = resolveGatewayConfig({ port: 0, subgraphs: [{ name: 'a', url: 'http://127.0.0.1:1/graphql' }], production: true });
    expect(resolved).toMatchObject({
      host: '127.0.0.1',
      maxBodyBytes: 1_048_576,
      introspection: false,
      subgraphTimeoutMs: 30_000,
      subgraphConnections: 32,
      dedupeSubgraphRequests: true,
      entityBatchInFlight: 1,
      entityBatchMaxRepresentations: 500,
      entityBatchMaxWaitMs: 50,
      entityBatchLingerMs: 20,
      plugins: [],
      auditBudget: { databaseTimeoutMs: 1_000, spoolReserveMs: 200 },
    });
  });

  it('names the bad key', () => {
    const subgraphs = [{ name: 'a', url: 'http://127.0.0.1:1/graphql' }];
    expect(() => resolveGatewayConfig({ port: 0, subgraphs, production: false, maxBodyBytes: 0 })).toThrow(/maxBodyBytes/);
    expect(() => resolveGatewayConfig({ port: 0, subgraphs: [...subgraphs, ...subgraphs], production: false })).toThrow(/subgraphs\[1\]\.name: expected a unique name/);
    expect(() => resolveGatewayConfig({ port: 0, subgraphs: [], production: false })).toThrow(/subgraphs: expected at least one subgraph/);
    expect(() => resolveGatewayConfig({ port: 0, subgraphs, production: false, auditBudget: { databaseTimeoutMs: 1_000, spoolReserveMs: 5_000 } }))
      .toThrow(/auditBudget\.spoolReserveMs: expected an integer from 0 to below resilience\.requestTimeoutMs \(5000\)/);
  });
});
