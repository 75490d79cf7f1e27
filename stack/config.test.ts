import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStackConfig } from './config.js';

describe('the stack reads the gateway settings a gateway run alone reads', () => {
  it('takes the request deadline, the audit budget and the spool folder from the environment', () => {
    const config = loadStackConfig({ GATEWAY_REQUEST_TIMEOUT_MS: '1500', AUDIT_DB_TIMEOUT_MS: '400', AUDIT_SPOOL_RESERVE_MS: '150', AUDIT_SPOOL_DIR: '/srv/concord/spool' });
    expect(config.gateway.resilience.requestTimeoutMs).toBe(1500);
    expect(config.gateway.auditBudget).toMatchObject({ databaseTimeoutMs: 400, spoolReserveMs: 150 });
    expect(config.gateway.auditSpoolDir).toBe('/srv/concord/spool');
  });

  it('spools beneath CONCORD_DATA_DIR, and nowhere by default or with AUDIT_SPOOL_DIR=off', () => {
    expect(loadStackConfig({}).gateway.auditSpoolDir).toBeUndefined();
    expect(loadStackConfig({ CONCORD_DATA_DIR: '/var/lib/concord' }).gateway.auditSpoolDir).toBe(path.join('/var/lib/concord', 'audit-spool'));
    expect(loadStackConfig({ CONCORD_DATA_DIR: '/var/lib/concord', AUDIT_SPOOL_DIR: 'off' }).gateway.auditSpoolDir).toBeUndefined();
  });

  it('refuses an audit reserve that leaves the request no time, naming the setting', () => {
    expect(() => loadStackConfig({ GATEWAY_REQUEST_TIMEOUT_MS: '500', AUDIT_SPOOL_RESERVE_MS: '600' })).toThrow(/AUDIT_SPOOL_RESERVE_MS/);
  });
});
