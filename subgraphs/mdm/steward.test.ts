import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBatchMatch } from '../../mdm/index.js';
import { databaseTargets, type TestDatabase } from '../../test/support/databases.js';
import { generateGatewayProofSecret, GATEWAY_PROOF_HEADER, signGatewayProof } from '../../platform/auth/index.js';
import { createPool, type RunningSubgraph } from '../../platform/index.js';
import { loadMdmSubgraphConfig } from './config.js';
import { startMdmSubgraph } from './server.js';
import { installStewardFixture } from './steward.fixture.js';

const targets = await databaseTargets();

interface GraphQLResponse {
  data?: Record<string, any> | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, any> }>;
}

/** The subgraph trusts only the gateway's signed proof; the tests sign as the gateway would for each caller. */
const proofKey = generateGatewayProofSecret();
type Caller = { subject: string | null; scopes: string[] };
const STEWARD: Caller = { subject: 'steward@example.com', scopes: ['customers:read', 'products:read', 'pii:read', 'mdm:steward'] };
const ANALYST: Caller = { subject: 'analyst@example.com', scopes: ['customers:read'] };
const ANONYMOUS: Caller = { subject: null, scopes: [] };

async function post(url: string, query: string, variables: Record<string, unknown> = {}, caller: Caller = STEWARD) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [GATEWAY_PROOF_HEADER]: await signGatewayProof(caller, proofKey) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLResponse;
}

const customerQuery = `query ($id: ID!) { customer(id: $id) { id name taxId sources { system sourceId } } }`;
const resultFields = `event { id actor action reason masterIds before after idempotencyKey } replayed masterIds`;
const unmergeMutation = `mutation ($system: SourceSystem!, $sourceId: ID!, $key: String) {
  unmergeSourceRecord(entityType: CUSTOMER, system: $system, sourceId: $sourceId, reason: "different companies", idempotencyKey: $key) { ${resultFields} } }`;

for (const target of targets) {
  describe.skipIf(target.unavailable !== undefined)(`MDM stewardship over HTTP on ${target.name}`, () => {
    let database: TestDatabase;
    let pool: pg.Pool;
    let subgraph: RunningSubgraph;

    const masterOf = async (system: string, sourceId: string) =>
      (await pool.query(`SELECT master_id FROM mdm.xref WHERE entity_type = 'customer' AND system = $1 AND source_id = $2`, [system, sourceId]))
        .rows[0]?.master_id as string;
    /** Everything a steward operation may touch, in a stable order. */
    const storeState = async () => ({
      golden: (await pool.query('SELECT * FROM mdm.golden_record ORDER BY master_id')).rows,
      xref: (await pool.query('SELECT * FROM mdm.xref ORDER BY entity_type, system, source_id')).rows,
      decisions: (await pool.query('SELECT * FROM mdm.steward_decision ORDER BY 1, 2, 3, 4, 5')).rows,
      candidates: (await pool.query('SELECT * FROM mdm.match_candidate ORDER BY id')).rows,
    });
    /** The customer's source records as the graph answers them, sorted (the xref orders them by link time). */
    const sourcesOf = async (masterId: string) =>
      (await post(subgraph.url, customerQuery, { id: masterId })).data!.customer?.sources.map((s: any) => `${s.system}:${s.sourceId}`).sort();

    beforeAll(async () => {
      database = await target.create();
      pool = createPool({ connectionString: database.url, max: 2 });
      await installStewardFixture(pool);
      subgraph = await startMdmSubgraph({ ...loadMdmSubgraphConfig({}), port: 0, databaseUrl: database.url, gatewayProof: proofKey });
    });

    afterAll(async () => {
      await subgraph?.close();
      await pool?.end();
      await database?.drop();
    });

    describe('search', () => {
      it('finds a customer by a misspelt name ("Glbex" finds Globex) with its similarity', async () => {
        const answer = await post(subgraph.url, `{ searchCustomers(name: "Glbex") {
          edges { similarity node { name taxId sources { system sourceId } } } pageInfo { hasNextPage } } }`);
        expect(answer.errors).toBeUndefined();
        const [hit] = answer.data!.searchCustomers.edges;
        expect(hit.node).toEqual({
          name: 'Globex',
          taxId: 'BE0404616494',
          sources: [{ system: 'CRM', sourceId: '110' }, { system: 'ERP', sourceId: '10' }],
        });
        expect(hit.similarity).toBeGreaterThan(0.3);
      });

      it('finds a customer by tax id written any way, and a product by SKU and by GTIN', async () => {
        const answer = await post(subgraph.url, `{
          byTaxId: searchCustomers(taxId: "be 0404.616.494") { nodes { name } }
          bySku: searchProducts(sku: "bolt m8 40") { nodes { sku name sources { system sourceId } } }
          byGtin: searchProducts(gtin: "4006381333931") { nodes { sku } }
          none: searchProducts(sku: "NO-SUCH-SKU") { nodes { sku } pageInfo { hasNextPage endCursor } } }`);
        expect(answer.errors).toBeUndefined();
        expect(answer.data).toEqual({
          byTaxId: { nodes: [{ name: 'Globex' }] },
          bySku: { nodes: [{ sku: 'BOLT-M8-40', name: 'Steel bolt M8', sources: [{ system: 'CRM', sourceId: '201' }, { system: 'ERP', sourceId: '1' }] }] },
          byGtin: { nodes: [{ sku: 'BOLT-M8-40' }] },
          none: { nodes: [], pageInfo: { hasNextPage: false, endCursor: null } },
        });
      });

      it('pages with the cursors it returns', async () => {
        const query = `query ($after: String) { searchCustomers(name: "t", first: 2, after: $after) {
          edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage endCursor } } }`;
        const seen: string[] = [];
        let after: string | null = null;
        for (let page = 0; page < 10; page++) {
          const answer = await post(subgraph.url, query, { after });
          expect(answer.errors).toBeUndefined();
          const connection = answer.data!.searchCustomers;
          expect(connection.pageInfo.hasPreviousPage).toBe(page > 0);
          seen.push(...connection.edges.map((e: any) => e.node.id));
          expect(connection.pageInfo.endCursor).toBe(connection.edges.at(-1).cursor);
          if (!connection.pageInfo.hasNextPage) break;
          after = connection.pageInfo.endCursor;
        }
        // Zenith Tools, Zenith Tools SA, Northwind Traders, Acme Industries GmbH, Bolt & Nut NV
        expect(seen.length).toBe(5);
        expect(new Set(seen).size).toBe(5);
      });

      it('serves customer search to customers:read only, product search to anyone', async () => {
        const query = `{ searchProducts(name: "bolt") { nodes { sku } } searchCustomers(name: "Globex") { nodes { name } } }`;
        const anonymous = await post(subgraph.url, query, {}, ANONYMOUS);
        expect(anonymous.errors?.map((e) => [e.path?.[0], e.extensions?.code])).toEqual([['searchCustomers', 'UNAUTHORIZED_FIELD_OR_TYPE']]);
        const analyst = await post(subgraph.url, query, {}, ANALYST);
        expect(analyst.errors).toBeUndefined();
        expect(analyst.data!.searchCustomers.nodes).toEqual([{ name: 'Globex' }]);
        expect(analyst.data!.searchProducts.nodes.map((n: any) => n.sku)).toContain('BOLT-M8-40');
      });

      it.each([
        ['a blank name only', `{ searchCustomers(name: "  ") { nodes { id } } }`, 'searchCustomers', undefined],
        ['no criterion', `{ searchProducts(first: 5) { nodes { id } } }`, 'searchProducts', undefined],
        ['a cursor it did not issue', `{ searchProducts(sku: "X", after: "bm90LWEtY3Vyc29y") { nodes { id } } }`, 'searchProducts', 'after'],
        ['a page over 100', `{ searchCustomers(name: "x", first: 101) { nodes { id } } }`, 'searchCustomers', 'first'],
      ])('refuses a search with %s as BAD_USER_INPUT', async (_case, query, field, argumentName) => {
        const answer = await post(subgraph.url, query);
        expect(answer.data).toBeNull();
        expect(answer.errors).toHaveLength(1);
        expect(answer.errors![0]).toMatchObject({ path: [field], extensions: { code: 'BAD_USER_INPUT', ...(argumentName ? { argumentName } : {}) } });
      });
    });

    describe('stewardship', () => {
      const queueQuery = `query ($entityType: EntityType) { reviewQueue(entityType: $entityType) {
        nodes { id entityType score weight status createdAt
                left { system sourceId masterId attributes { name value } }
                right { system sourceId masterId attributes { name value } }
                explanation { attribute level weight left right } }
        pageInfo { hasNextPage } } }`;

      it('lists the review queue, best score first, with each pair explained', async () => {
        const answer = await post(subgraph.url, queueQuery, { entityType: 'CUSTOMER' });
        expect(answer.errors).toBeUndefined();
        const [zenith, bolt] = answer.data!.reviewQueue.nodes;
        expect(answer.data!.reviewQueue.nodes).toHaveLength(2);
        expect(zenith).toMatchObject({ entityType: 'CUSTOMER', score: 0.83, weight: 2.29, status: 'PENDING' });
        expect(new Date(zenith.createdAt).toString()).not.toBe('Invalid Date');
        const sides = Object.fromEntries([zenith.left, zenith.right].map((side: any) => [`${side.system}:${side.sourceId}`, side]));
        expect(Object.keys(sides).sort()).toEqual(['CRM:112', 'ERP:3']);
        expect(sides['ERP:3'].masterId).toBe(await masterOf('erp', '3'));
        expect(sides['ERP:3'].attributes).toContainEqual({ name: 'name', value: 'Zenith Tools SA' });
        expect(sides['CRM:112'].attributes).toContainEqual({ name: 'city', value: 'Bruxelles' });
        expect(zenith.explanation[0]).toEqual({ attribute: 'name', level: 'exact', weight: 7.4, left: 'zenith tools', right: 'zenith tools' });
        expect(bolt.score).toBe(0.71);

        const products = await post(subgraph.url, queueQuery, { entityType: 'PRODUCT' });
        expect(products.data!.reviewQueue.nodes).toEqual([]);
      });

      it('refuses the steward fields to an anonymous caller and to a caller without mdm:steward', async () => {
        const anonymous = await post(subgraph.url, `{ reviewQueue { nodes { id } } }`, {}, ANONYMOUS);
        expect(anonymous.errors?.[0]).toMatchObject({ path: ['reviewQueue'], extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE' } });
        const analyst = await post(subgraph.url, `mutation { mergeCustomers(ids: ["a", "b"]) { replayed } }`, {}, ANALYST);
        expect(analyst.errors?.[0]).toMatchObject({ path: ['mergeCustomers'], extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE' } });
        expect(await masterOf('erp', '3')).not.toBe(await masterOf('crm', '112'));
      });

      it('accepting a candidate merges the two golden records, as the calling steward', async () => {
        const queue = await post(subgraph.url, queueQuery, {});
        const zenith = queue.data!.reviewQueue.nodes[0];
        const accepted = await post(subgraph.url, `mutation ($id: ID!) {
          acceptMatchCandidate(id: $id, reason: "same company, same street") { ${resultFields} } }`, { id: zenith.id });
        expect(accepted.errors).toBeUndefined();
        const result = accepted.data!.acceptMatchCandidate;
        expect(result).toMatchObject({ replayed: false, event: { actor: 'steward@example.com', action: 'accept', reason: 'same company, same street' } });
        const [survivor] = result.masterIds;
        expect(await sourcesOf(survivor)).toEqual(['CRM:112', 'ERP:3']);
        expect(JSON.parse(result.event.before)).toHaveProperty('golden');

        const history = await post(subgraph.url, `query ($id: ID) { history(masterId: $id, first: 5) { action actor } }`, { id: survivor });
        expect(history.data!.history[0]).toEqual({ action: 'accept', actor: 'steward@example.com' });

        const again = await post(subgraph.url, `mutation ($id: ID!) { acceptMatchCandidate(id: $id) { replayed } }`, { id: zenith.id });
        expect(again.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', mdmCode: 'MDM_CONFLICT' });
        const unknown = await post(subgraph.url, `mutation { acceptMatchCandidate(id: "999999") { replayed } }`);
        expect(unknown.errors?.[0].extensions?.code).toBe('NOT_FOUND');
        const malformed = await post(subgraph.url, `mutation { acceptMatchCandidate(id: "abc") { replayed } }`);
        expect(malformed.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'id' });
      });

      it('unmerging splits a source record out; undoing the unmerge restores the exact previous state', async () => {
        const merged = await masterOf('erp', '3');
        const before = await storeState();
        const unmerged = await post(subgraph.url, unmergeMutation, { system: 'CRM', sourceId: '112' });
        expect(unmerged.errors).toBeUndefined();
        const [kept, split] = unmerged.data!.unmergeSourceRecord.masterIds;
        expect(kept).toBe(merged);
        expect(await sourcesOf(kept)).toEqual(['ERP:3']);
        expect(await sourcesOf(split)).toEqual(['CRM:112']);
        expect(await storeState()).not.toEqual(before);

        const undo = await post(subgraph.url, `mutation ($id: ID!) { undoHistoryEvent(eventId: $id, reason: "unmerged by mistake") { ${resultFields} } }`,
          { id: unmerged.data!.unmergeSourceRecord.event.id });
        expect(undo.errors).toBeUndefined();
        expect(undo.data!.undoHistoryEvent.event.action).toBe('undo');
        expect(await storeState()).toEqual(before);
        expect(await sourcesOf(merged)).toEqual(['CRM:112', 'ERP:3']);
        expect((await post(subgraph.url, customerQuery, { id: split })).data!.customer).toBeNull();

        const twice = await post(subgraph.url, `mutation ($id: ID!) { undoHistoryEvent(eventId: $id) { replayed } }`,
          { id: unmerged.data!.unmergeSourceRecord.event.id });
        expect(twice.errors?.[0].extensions?.code).toBe('CONFLICT');
      });

      it('a retried merge with the same idempotency key applies once and answers the same event', async () => {
        const ids = [await masterOf('erp', '10'), await masterOf('crm', '103')];
        const merge = `mutation ($ids: [ID!]!) { mergeCustomers(ids: $ids, reason: "Northwind is Globex's UK arm", idempotencyKey: "merge-globex-northwind") { ${resultFields} } }`;
        const merges = async () => (await pool.query(`SELECT count(*)::int AS n FROM mdm.history WHERE action = 'merge'`)).rows[0].n as number;
        const before = await merges();

        const first = await post(subgraph.url, merge, { ids });
        const retry = await post(subgraph.url, merge, { ids });
        expect(first.errors).toBeUndefined();
        expect(retry.errors).toBeUndefined();
        expect(first.data!.mergeCustomers).toMatchObject({ replayed: false, masterIds: [ids[0]] });
        expect(retry.data!.mergeCustomers).toEqual({ ...first.data!.mergeCustomers, replayed: true });
        expect(await merges()).toBe(before + 1);
        expect(await sourcesOf(ids[0])).toEqual(['CRM:103', 'CRM:110', 'ERP:10']);

        const history = await post(subgraph.url, `query ($id: ID) { history(masterId: $id) { id action idempotencyKey } }`, { id: ids[0] });
        expect(history.data!.history.filter((e: any) => e.action === 'merge')).toEqual([
          { id: first.data!.mergeCustomers.event.id, action: 'merge', idempotencyKey: 'merge-globex-northwind' },
        ]);

        // The same key for another operation is a client bug, not a replay.
        const reused = await post(subgraph.url, unmergeMutation, { system: 'CRM', sourceId: '103', key: 'merge-globex-northwind' });
        expect(reused.errors?.[0].extensions).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', mdmCode: 'MDM_IDEMPOTENCY_KEY_REUSED' });
      });

      it('refuses a used idempotency key sent with a different payload instead of replaying the first answer', async () => {
        const merge = `mutation ($ids: [ID!]!, $reason: String) { mergeCustomers(ids: $ids, reason: $reason, idempotencyKey: "payload-bound-key") { ${resultFields} } }`;
        const ids = [await masterOf('erp', '2'), await masterOf('erp', '3')];
        const first = await post(subgraph.url, merge, { ids, reason: 'same company' });
        expect(first.errors).toBeUndefined();
        const stateAfterFirst = await storeState();
        const sameAgain = await post(subgraph.url, merge, { ids, reason: 'same company' });
        expect(sameAgain.data!.mergeCustomers.replayed).toBe(true);

        const otherReason = await post(subgraph.url, merge, { ids, reason: 'another reason' });
        const otherIds = await post(subgraph.url, merge, { ids: [ids[0], await masterOf('erp', '10')], reason: 'same company' });
        for (const answer of [otherReason, otherIds]) {
          expect(answer.data).toBeNull();
          expect(answer.errors?.[0].extensions).toMatchObject({
            code: 'IDEMPOTENCY_KEY_REUSED', idempotencyKey: 'payload-bound-key', historyEventId: first.data!.mergeCustomers.event.id,
          });
        }
        expect(await storeState()).toEqual(stateAfterFirst);
      });

      it('refuses to merge products through mergeCustomers', async () => {
        const product = (await pool.query(`SELECT master_id FROM mdm.golden_record WHERE entity_type = 'product' AND active LIMIT 1`)).rows[0].master_id;
        const answer = await post(subgraph.url, `mutation ($ids: [ID!]!) { mergeCustomers(ids: $ids) { replayed } }`,
          { ids: [await masterOf('erp', '2'), product] });
        expect(answer.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'ids' });
        const unknown = await post(subgraph.url, `mutation { mergeCustomers(ids: ["cus_nope1", "cus_nope2"]) { replayed } }`);
        expect(unknown.errors?.[0].extensions?.code).toBe('NOT_FOUND');
      });

      it('a rejected pair is not merged again by later batch runs', async () => {
        // The batch merged Bolt & Nut (ERP 2, CRM 102) by name and domain; a steward doubts it.
        expect(await masterOf('erp', '2')).toBe(await masterOf('crm', '102'));
        const queue = await post(subgraph.url, queueQuery, {});
        const bolt = queue.data!.reviewQueue.nodes.find((c: any) => [c.left.sourceId, c.right.sourceId].includes('102'));
        const rejected = await post(subgraph.url, `mutation ($id: ID!) { rejectMatchCandidate(id: $id, reason: "different VAT registrations") { ${resultFields} } }`, { id: bolt.id });
        expect(rejected.errors).toBeUndefined();
        expect(rejected.data!.rejectMatchCandidate.event.action).toBe('reject');

        await runBatchMatch(pool, 'customer', { actor: 'batch', mode: 'deterministic' });
        const apart = [await masterOf('erp', '2'), await masterOf('crm', '102')];
        expect(apart[0]).not.toBe(apart[1]);
        await runBatchMatch(pool, 'customer', { actor: 'batch', mode: 'deterministic' });
        expect([await masterOf('erp', '2'), await masterOf('crm', '102')]).toEqual(apart);
        expect((await post(subgraph.url, queueQuery, {})).data!.reviewQueue.nodes).toEqual([]);
        // The steward's earlier decisions held through both runs.
        expect(await masterOf('erp', '3')).toBe(await masterOf('crm', '112'));
        expect(await masterOf('erp', '10')).toBe(await masterOf('crm', '103'));
      });
    });
  });
}
