import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../../test/support/databases.js';
import { RegistryClient } from '../client/registryClient.js';
import { startRegistry, type RunningRegistry } from './server.js';

const link = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])';
const loyaltySdl = `${link}\ntype Query { points(customerId: ID!): Int }`;
const erpSdl = `${link}\ntype Query { invoice(id: ID!): String }`;

const targets = await databaseTargets();

for (const target of targets) {
  describe.skipIf(target.unavailable)(`registry token administration on ${target.name}`, () => {
    let database: Awaited<ReturnType<typeof target.create>>;
    let registry: RunningRegistry;
    const as = (token: string) => new RegistryClient({ registryUrl: registry.url, token });

    beforeAll(async () => {
      database = await target.create();
      registry = await startRegistry({
        databaseUrl: database.url, port: 0,
        bootstrapTokens: [
          { token: 'admin-secret', scope: 'admin', label: 'platform admin' },
          { token: 'erp-secret', scope: 'publish', team: 'erp' },
        ],
      });
      const erp = await as('erp-secret').publish({ subgraph: 'erp', sdl: erpSdl, routingUrl: 'http://127.0.0.1:4001/graphql' });
      expect(erp.published).toBe(true);
    });

    afterAll(async () => {
      await registry?.close();
      await database?.drop();
    });

    it('issues, lists and revokes a team publish token, all in the audit log', async () => {
      const issued = await as('admin-secret').issueToken({ scope: 'publish', team: 'loyalty', label: 'loyalty CI' });
      expect(issued).toMatchObject({ scope: 'publish', team: 'loyalty', label: 'loyalty CI', revoked: false });
      expect(issued.token).toMatch(/^concord_publish_[A-Za-z0-9_-]{43}$/);

      const loyalty = as(issued.token);
      const published = await loyalty.publish({ subgraph: 'loyalty', sdl: loyaltySdl, routingUrl: 'http://127.0.0.1:4010/graphql' });
      expect(published.published).toBe(true);
      expect((await loyalty.listSubgraphs()).find((s) => s.name === 'loyalty')).toMatchObject({ ownerTeam: 'loyalty' });
      await expect(loyalty.publish({ subgraph: 'erp', sdl: erpSdl })).rejects.toMatchObject({ code: 'FORBIDDEN', status: 403 });

      const listed = await as('admin-secret').listTokens();
      expect(listed.find((t) => t.id === issued.id)).toEqual({
        id: issued.id, scope: 'publish', team: 'loyalty', label: 'loyalty CI', createdAt: issued.createdAt, revoked: false, revokedAt: null,
      });
      const raw = JSON.stringify(listed);
      expect(raw).not.toContain(issued.token);
      expect(raw).not.toContain('admin-secret');
      expect(raw).not.toMatch(/hash/i);

      const revoked = await as('admin-secret').revokeToken(issued.id);
      expect(revoked).toMatchObject({ id: issued.id, revoked: true, alreadyRevoked: false });
      await expect(loyalty.listSubgraphs()).rejects.toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
      await expect(loyalty.publish({ subgraph: 'loyalty', sdl: loyaltySdl })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
      expect(await as('admin-secret').revokeToken(issued.id)).toMatchObject({ alreadyRevoked: true });
      expect((await as('admin-secret').listTokens()).find((t) => t.id === issued.id)).toMatchObject({ revoked: true, revokedAt: expect.any(String) });

      const log = (await as('admin-secret').auditLog()).reverse();
      expect(log.map((e) => [e.action, e.actor, e.subgraph])).toEqual([
        ['publish', 'erp publish', 'erp'],
        ['token_issued', 'platform admin', null],
        ['publish', 'loyalty CI', 'loyalty'],
        ['token_revoked', 'platform admin', null],
      ]);
      expect(log[1].detail).toEqual({ tokenId: issued.id, scope: 'publish', team: 'loyalty', label: 'loyalty CI' });
      expect(JSON.stringify(log)).not.toContain(issued.token);
    });

    it('refuses token administration to non-admins (403) and unknown tokens (401)', async () => {
      const erp = as('erp-secret');
      await expect(erp.issueToken({ scope: 'publish', team: 'erp' })).rejects.toMatchObject({ code: 'FORBIDDEN', status: 403 });
      await expect(erp.issueToken({ scope: 'admin' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(erp.listTokens()).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(erp.revokeToken(1)).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(as('nobody').issueToken({ scope: 'read' })).rejects.toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
      await expect(as('nobody').listTokens()).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    });

    it('validates what is issued and revoked', async () => {
      const admin = as('admin-secret');
      await expect(admin.issueToken({ scope: 'publish' })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('team') });
      await expect(admin.issueToken({ scope: 'root' as 'admin' })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('scope') });
      await expect(admin.issueToken({ scope: 'publish', team: 'a:b' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      await expect(admin.issueToken({ scope: 'read', label: 'ci (generated by concord start)' }))
        .rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('reserved') });
      await expect(admin.revokeToken(999_999)).rejects.toMatchObject({ code: 'NOT_FOUND', status: 404 });
      const reader = await admin.issueToken({ scope: 'read' });
      expect(reader).toMatchObject({ scope: 'read', team: null, label: 'read' });
      expect((await as(reader.token).listSubgraphs()).map((s) => s.name).sort()).toEqual(['erp', 'loyalty']);
    });
  });
}
