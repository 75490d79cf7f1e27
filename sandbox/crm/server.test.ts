import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../../test/support/databases.js';
import { startCrmSandbox, type CrmSandbox } from './server.js';

const TOKEN = 'pat-test-token';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const targets = await databaseTargets();

/** 25 companies (1–25, one archived extra 26), 3 contacts, 2 deals and their associations, stored both ways as HubSpot does. */
async function insertFixtures(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const objects: Array<[string, number, Record<string, string>, boolean]> = [
      ['companies', 1, { name: 'Acme Corporation', domain: 'acme.com', numberofemployees: '10', city: 'Berlin' }, false],
      ['companies', 2, { name: 'Globex GmbH', domain: 'globex.de', numberofemployees: '20', city: 'Hamburg' }, false],
      ['companies', 3, { name: 'Initech Ltd', domain: 'initech.co.uk', numberofemployees: '30' }, false],
    ];
    for (let i = 4; i <= 25; i++) {
      objects.push(['companies', i, { name: `Filler Company ${i}`, domain: `filler${i}.example`, numberofemployees: String(i * 10) }, false]);
    }
    objects.push(['companies', 26, { name: 'Archived Acme', domain: 'old-acme.com' }, true]);
    objects.push(
      ['contacts', 101, { firstname: 'Jane', lastname: 'Doe', email: 'jane.doe@acme.com' }, false],
      ['contacts', 102, { firstname: 'John', lastname: 'Roe', email: 'john@acme.com' }, false],
      ['contacts', 103, { firstname: 'Erika', lastname: 'Muster', email: 'erika@globex.de' }, false],
      ['deals', 201, { dealname: 'Acme renewal', amount: '1200.50', dealstage: 'closedwon' }, false],
      ['deals', 202, { dealname: 'Globex pilot', amount: '300', dealstage: 'appointmentscheduled' }, false],
    );
    await client.query(
      `INSERT INTO crm.objects (object_type, id, properties, created_at, updated_at, archived)
       SELECT t, i, p, timestamptz '2024-01-01T00:00:00Z' + make_interval(days => i::int % 1000), timestamptz '2024-06-01T00:00:00Z', a
         FROM unnest($1::text[], $2::bigint[], $3::jsonb[], $4::boolean[]) AS x(t, i, p, a)`,
      [objects.map((o) => o[0]), objects.map((o) => o[1]), objects.map((o) => JSON.stringify(o[2])), objects.map((o) => o[3])],
    );
    // [from_type, from_id, to_type, to_id, type_id]: HubSpot-defined ids, one row per direction.
    const edges: Array<[string, number, string, number, number]> = [
      ['contacts', 101, 'companies', 1, 279], ['companies', 1, 'contacts', 101, 280],
      ['contacts', 102, 'companies', 1, 279], ['companies', 1, 'contacts', 102, 280],
      ['contacts', 103, 'companies', 2, 279], ['companies', 2, 'contacts', 103, 280],
      ['contacts', 101, 'companies', 1, 1], ['companies', 1, 'contacts', 101, 2], // primary company, too
      ['deals', 201, 'companies', 1, 341], ['companies', 1, 'deals', 201, 342],
    ];
    await client.query(
      `INSERT INTO crm.associations (from_type, from_id, to_type, to_id, type_id)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::int[])`,
      [edges.map((e) => e[0]), edges.map((e) => e[1]), edges.map((e) => e[2]), edges.map((e) => e[3]), edges.map((e) => e[4])],
    );
  } finally {
    await client.end();
  }
}

function call(sandbox: CrmSandbox, method: string, path: string, body?: unknown, token: string | null = TOKEN) {
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${sandbox.url}${path}`, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
}

async function json(response: Response): Promise<any> {
  return response.json();
}

const ids = (body: { results: Array<{ id: string }> }) => body.results.map((r) => r.id);

describe.each(targets)('CRM sandbox on $name', (target) => {
  describe.skipIf(target.unavailable)('HubSpot CRM API', () => {
    let drop: () => Promise<void>;
    let sandbox: CrmSandbox;
    let limited: CrmSandbox;
    let databaseUrl: string;

    beforeAll(async () => {
      const database = await target.create();
      drop = database.drop;
      databaseUrl = database.url;
      sandbox = await startCrmSandbox({ databaseUrl: database.url, tokens: [TOKEN, 'pat-other'], port: 0 });
      // A second instance on the same database: its migration is a no-op, its limit 3 requests per 1 s.
      limited = await startCrmSandbox({ databaseUrl: database.url, tokens: [TOKEN], port: 0, rateLimit: { requests: 3, perMs: 1000 } });
      await insertFixtures(database.url);
    });

    afterAll(async () => {
      await sandbox?.close();
      await limited?.close();
      await drop?.();
    });

    describe('reading one object', () => {
      it('returns the requested properties plus hs_object_id, createdate and hs_lastmodifieddate', async () => {
        const response = await call(sandbox, 'GET', '/crm/v3/objects/companies/1?properties=name,domain,nosuchproperty');
        expect(response.status).toBe(200);
        expect(await json(response)).toEqual({
          id: '1',
          properties: {
            name: 'Acme Corporation',
            domain: 'acme.com',
            nosuchproperty: null,
            hs_object_id: '1',
            createdate: '2024-01-02T00:00:00.000Z',
            hs_lastmodifieddate: '2024-06-01T00:00:00.000Z',
          },
          createdAt: '2024-01-02T00:00:00.000Z',
          updatedAt: '2024-06-01T00:00:00.000Z',
          archived: false,
        });
      });

      it('returns the default property set when none is named, and accepts the singular type name', async () => {
        const body = await json(await call(sandbox, 'GET', '/crm/v3/objects/contact/101'));
        expect(Object.keys(body.properties).sort()).toEqual(['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname']);
        expect(body.properties.email).toBe('jane.doe@acme.com');
      });

      it('attaches associations when asked', async () => {
        const body = await json(await call(sandbox, 'GET', '/crm/v3/objects/contacts/101?associations=companies'));
        expect(body.associations.companies.results).toEqual([{ id: '1', type: 'contact_to_company' }]);
      });

      it('answers a missing object with 404 in HubSpot error shape', async () => {
        const response = await call(sandbox, 'GET', '/crm/v3/objects/companies/999');
        expect(response.status).toBe(404);
        const body = await json(response);
        expect(body).toEqual({ status: 'error', message: 'resource not found', correlationId: expect.stringMatching(UUID), category: 'OBJECT_NOT_FOUND' });
      });

      it('hides archived objects unless archived=true', async () => {
        expect((await call(sandbox, 'GET', '/crm/v3/objects/companies/26')).status).toBe(404);
        const body = await json(await call(sandbox, 'GET', '/crm/v3/objects/companies/26?archived=true'));
        expect(body).toMatchObject({ id: '26', archived: true, archivedAt: '2024-06-01T00:00:00.000Z' });
      });
    });

    describe('batch read', () => {
      it('returns the found objects and a 207 error naming the missing ids', async () => {
        const response = await call(sandbox, 'POST', '/crm/v3/objects/companies/batch/read', {
          properties: ['name'],
          inputs: [{ id: '1' }, { id: '999' }, { id: '3' }],
        });
        expect(response.status).toBe(207);
        const body = await json(response);
        expect(ids(body)).toEqual(['1', '3']);
        expect(body.results[1].properties).toMatchObject({ name: 'Initech Ltd', hs_object_id: '3' });
        expect(body).toMatchObject({
          status: 'COMPLETE',
          numErrors: 1,
          errors: [{
            status: 'error',
            category: 'OBJECT_NOT_FOUND',
            message: 'Could not get some COMPANY objects, they may be deleted or not exist. Check that ids are valid.',
            context: { ids: ['999'] },
          }],
        });
        expect(Date.parse(body.startedAt)).not.toBeNaN();
        expect(Date.parse(body.completedAt)).not.toBeNaN();
      });

      it('answers 200 without errors when every id exists, and reads by idProperty', async () => {
        const all = await call(sandbox, 'POST', '/crm/v3/objects/companies/batch/read', { properties: [], inputs: [{ id: '2' }, { id: '1' }] });
        expect(all.status).toBe(200);
        const body = await json(all);
        expect(ids(body)).toEqual(['2', '1']);
        expect(body.errors).toBeUndefined();
        const byDomain = await json(await call(sandbox, 'POST', '/crm/v3/objects/companies/batch/read', {
          properties: ['name'], idProperty: 'domain', inputs: [{ id: 'globex.de' }],
        }));
        expect(ids(byDomain)).toEqual(['2']);
      });

      it('refuses 101 inputs with HubSpot\'s 400 VALIDATION_ERROR', async () => {
        const inputs = Array.from({ length: 101 }, (_, i) => ({ id: String(i + 1) }));
        const response = await call(sandbox, 'POST', '/crm/v3/objects/companies/batch/read', { properties: ['name'], inputs });
        expect(response.status).toBe(400);
        expect(await json(response)).toEqual({
          status: 'error',
          message: 'The maximum number of inputs supported in a batch is 100. Please reduce the number of items and try again',
          correlationId: expect.stringMatching(UUID),
          category: 'VALIDATION_ERROR',
        });
      });

      it('answers malformed JSON and a body without inputs with 400', async () => {
        const malformed = await call(sandbox, 'POST', '/crm/v3/objects/companies/batch/read', '{"inputs": [');
        expect(malformed.status).toBe(400);
        expect(await json(malformed)).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR', message: expect.stringMatching(/^Invalid input JSON/) });
        const noInputs = await call(sandbox, 'POST', '/crm/v3/objects/companies/batch/read', { properties: [] });
        expect(noInputs.status).toBe(400);
        const huge = await call(sandbox, 'POST', '/crm/v3/objects/companies/batch/read', JSON.stringify({ pad: 'x'.repeat(1_100_000) }));
        expect(huge.status).toBe(400);
      });
    });

    describe('search', () => {
      const search = async (type: string, body: unknown) => {
        const response = await call(sandbox, 'POST', `/crm/v3/objects/${type}/search`, body);
        expect(response.status).toBe(200);
        return json(response);
      };
      const filter = (propertyName: string, operator: string, extra: object = {}) => ({ filterGroups: [{ filters: [{ propertyName, operator, ...extra }] }], limit: 100 });

      it('EQ matches case-insensitively', async () => {
        const body = await search('companies', { ...filter('name', 'EQ', { value: 'acme corporation' }), properties: ['name'] });
        expect(body.total).toBe(1);
        expect(body.results[0]).toMatchObject({ id: '1', properties: { name: 'Acme Corporation' } });
        expect(body.paging).toBeUndefined();
      });

      it('IN matches any of the values', async () => {
        expect(ids(await search('companies', filter('domain', 'IN', { values: ['globex.de', 'INITECH.CO.UK', 'nowhere.com'] })))).toEqual(['2', '3']);
      });

      it('GT and LT compare numeric-looking values as numbers', async () => {
        // As strings "30" > "200"; as numbers only 210…250 are.
        expect(ids(await search('companies', filter('numberofemployees', 'GT', { value: '200' })))).toEqual(['21', '22', '23', '24', '25']);
        expect(ids(await search('companies', filter('numberofemployees', 'LT', { value: 30 })))).toEqual(['1', '2']);
        expect(ids(await search('deals', filter('amount', 'BETWEEN', { value: '1000', highValue: '1300' })))).toEqual(['201']);
      });

      it('compares dates as HubSpot does: epoch milliseconds', async () => {
        const body = await search('companies', filter('createdate', 'LTE', { value: String(Date.parse('2024-01-03T00:00:00Z')) }));
        expect(ids(body)).toEqual(['1', '2']);
      });

      it('CONTAINS_TOKEN matches whole words, with * as a wildcard', async () => {
        expect(ids(await search('companies', filter('name', 'CONTAINS_TOKEN', { value: 'globex' })))).toEqual(['2']);
        expect(ids(await search('companies', filter('name', 'CONTAINS_TOKEN', { value: 'glob' })))).toEqual([]);
        expect(ids(await search('contacts', filter('email', 'CONTAINS_TOKEN', { value: '*@acme.com' })))).toEqual(['101', '102']);
      });

      it('ANDs filters inside a group and ORs the groups', async () => {
        const body = await search('companies', {
          filterGroups: [
            { filters: [{ propertyName: 'city', operator: 'EQ', value: 'Berlin' }, { propertyName: 'numberofemployees', operator: 'GTE', value: '10' }] },
            { filters: [{ propertyName: 'domain', operator: 'EQ', value: 'initech.co.uk' }] },
            { filters: [{ propertyName: 'city', operator: 'EQ', value: 'Hamburg' }, { propertyName: 'numberofemployees', operator: 'GT', value: '1000' }] },
          ],
        });
        expect(ids(body)).toEqual(['1', '3']);
      });

      it('HAS_PROPERTY, NOT_HAS_PROPERTY and NEQ', async () => {
        expect(ids(await search('companies', filter('city', 'HAS_PROPERTY')))).toEqual(['1', '2']);
        expect((await search('companies', filter('city', 'NOT_HAS_PROPERTY'))).total).toBe(23);
        expect((await search('companies', filter('city', 'NEQ', { value: 'berlin' }))).total).toBe(24);
      });

      it('sorts by a numeric property and pages with after until every match was seen once', async () => {
        const seen: string[] = [];
        let after: string | undefined;
        let pages = 0;
        do {
          const body = await search('companies', { sorts: [{ propertyName: 'numberofemployees', direction: 'DESCENDING' }], limit: 7, ...(after ? { after } : {}) });
          expect(body.total).toBe(25);
          seen.push(...ids(body));
          after = body.paging?.next?.after;
          pages++;
        } while (after);
        expect(pages).toBe(4);
        expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => String(25 - i)));
      });

      it('refuses bad input with 400 in HubSpot error shape', async () => {
        const bad = async (body: unknown, message: RegExp) => {
          const response = await call(sandbox, 'POST', '/crm/v3/objects/companies/search', body);
          expect(response.status).toBe(400);
          expect(await json(response)).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR', correlationId: expect.stringMatching(UUID), message: expect.stringMatching(message) });
        };
        await bad(filter('name', 'LIKE', { value: 'x' }), /operator: expected one of EQ, NEQ/);
        await bad(filter('name', 'EQ'), /needs a value/);
        await bad(filter('name', 'IN', { values: [] }), /non-empty array/);
        await bad({ filterGroups: Array.from({ length: 6 }, () => filter('name', 'HAS_PROPERTY').filterGroups[0]) }, /maximum number of filter groups is 5/);
        await bad({ filterGroups: [{ filters: Array.from({ length: 7 }, () => ({ propertyName: 'name', operator: 'HAS_PROPERTY' })) }] }, /per filter group is 6/);
        await bad(
          { filterGroups: Array.from({ length: 4 }, () => ({ filters: Array.from({ length: 5 }, () => ({ propertyName: 'name', operator: 'HAS_PROPERTY' })) })) },
          /across all filter groups is 18/,
        );
        await bad({ limit: 201 }, /limit: expected an integer from 0 to 200/);
        await bad({ limit: 100, after: '9950' }, /limited to 10000/);
      });
    });

    describe('list with cursor paging', () => {
      it('walks every live object exactly once, following paging.next', async () => {
        const seen: string[] = [];
        let path: string | undefined = '/crm/v3/objects/companies?limit=10&properties=name';
        while (path) {
          const response = await call(sandbox, 'GET', path);
          expect(response.status).toBe(200);
          const body = await json(response);
          seen.push(...ids(body));
          expect(body.results[0].properties).toHaveProperty('name');
          const next = body.paging?.next;
          if (next) expect(new URL(next.link).searchParams.get('after')).toBe(next.after);
          path = next ? `/crm/v3/objects/companies?limit=10&properties=name&after=${next.after}` : undefined;
        }
        expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => String(i + 1)));
      });

      it('caps limit at 100', async () => {
        expect((await call(sandbox, 'GET', '/crm/v3/objects/companies?limit=101')).status).toBe(400);
      });
    });

    describe('v4 associations batch read', () => {
      it('reads associations from contacts to companies', async () => {
        const response = await call(sandbox, 'POST', '/crm/v4/associations/contacts/companies/batch/read', { inputs: [{ id: '101' }, { id: '103' }] });
        expect(response.status).toBe(200);
        const body = await json(response);
        expect(body.status).toBe('COMPLETE');
        expect(body.results).toEqual([
          { from: { id: '101' }, to: [{ toObjectId: 1, associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 1, label: null }, { category: 'HUBSPOT_DEFINED', typeId: 279, label: null }] }] },
          { from: { id: '103' }, to: [{ toObjectId: 2, associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 279, label: null }] }] },
        ]);
      });

      it('reads the other direction, and names inputs without associations in a 207', async () => {
        const response = await call(sandbox, 'POST', '/crm/v4/associations/companies/contacts/batch/read', { inputs: [{ id: '1' }, { id: '3' }] });
        expect(response.status).toBe(207);
        const body = await json(response);
        expect(body.results).toEqual([
          { from: { id: '1' }, to: [
            { toObjectId: 101, associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 2, label: null }, { category: 'HUBSPOT_DEFINED', typeId: 280, label: null }] },
            { toObjectId: 102, associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 280, label: null }] },
          ] },
        ]);
        expect(body.numErrors).toBe(1);
        expect(body.errors[0]).toMatchObject({
          category: 'OBJECT_NOT_FOUND',
          subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND',
          message: 'No contact is associated with company 3.',
          context: { fromObjectId: ['3'] },
        });
      });

      it('caps inputs at 1000', async () => {
        const inputs = Array.from({ length: 1001 }, (_, i) => ({ id: String(i + 1) }));
        const response = await call(sandbox, 'POST', '/crm/v4/associations/companies/deals/batch/read', { inputs });
        expect(response.status).toBe(400);
        expect((await json(response)).message).toBe('The maximum number of inputs supported in a batch is 1000. Please reduce the number of items and try again');
      });
    });

    describe('routing', () => {
      it('answers unknown object types and paths with 404 in HubSpot shape', async () => {
        const unknownType = await call(sandbox, 'GET', '/crm/v3/objects/widgets/1');
        expect(unknownType.status).toBe(404);
        expect(await json(unknownType)).toMatchObject({ status: 'error', category: 'OBJECT_NOT_FOUND', message: 'Unable to infer object type from: widgets' });
        expect((await call(sandbox, 'GET', '/crm/v2/whatever')).status).toBe(404);
      });
    });

    describe('authentication', () => {
      it('answers 401 without a token and with an unknown one', async () => {
        for (const token of [null, 'pat-wrong']) {
          const response = await call(sandbox, 'GET', '/crm/v3/objects/companies/1', undefined, token);
          expect(response.status).toBe(401);
          expect(await json(response)).toEqual({
            status: 'error',
            message: expect.stringMatching(/^Authentication credentials not found\./),
            correlationId: expect.stringMatching(UUID),
            category: 'INVALID_AUTHENTICATION',
          });
        }
        expect((await call(sandbox, 'GET', '/crm/v3/objects/companies/1', undefined, 'pat-other')).status).toBe(200);
      });
    });

    describe('rate limit', () => {
      it('answers 429 with Retry-After once the window is full, and serves again after it', async () => {
        const statuses: number[] = [];
        let refused: Response | undefined;
        for (let i = 0; i < 4; i++) {
          const response = await call(limited, 'GET', '/crm/v3/objects/companies/1');
          statuses.push(response.status);
          if (response.status === 429) refused = response;
          else {
            expect(response.headers.get('x-hubspot-ratelimit-max')).toBe('3');
            expect(response.headers.get('x-hubspot-ratelimit-remaining')).toBe(String(2 - i));
            await response.body?.cancel();
          }
        }
        expect(statuses).toEqual([200, 200, 200, 429]);
        expect(refused!.headers.get('retry-after')).toBe('1');
        expect(refused!.headers.get('x-hubspot-ratelimit-remaining')).toBe('0');
        expect(await json(refused!)).toEqual({
          status: 'error',
          message: 'You have reached your secondly limit.',
          errorType: 'RATE_LIMIT',
          correlationId: expect.stringMatching(UUID),
          category: 'RATE_LIMITS',
          policyName: 'SECONDLY',
        });
        await new Promise((resolve) => setTimeout(resolve, 1_050));
        expect((await call(limited, 'GET', '/crm/v3/objects/companies/1')).status).toBe(200);
      });
    });

    describe('request log', () => {
      it('records method, path, batch size and status of every request', async () => {
        sandbox.resetRequestLog();
        await call(sandbox, 'POST', '/crm/v3/objects/companies/batch/read', { inputs: [{ id: '1' }, { id: '2' }] });
        await call(sandbox, 'GET', '/crm/v3/objects/companies/1?properties=name');
        await call(sandbox, 'POST', '/crm/v4/associations/companies/contacts/batch/read', { inputs: [{ id: '1' }] });
        await call(sandbox, 'GET', '/crm/v3/objects/companies/1', undefined, null);
        expect(sandbox.requests).toEqual([
          { method: 'POST', path: '/crm/v3/objects/companies/batch/read', inputs: 2, status: 200 },
          { method: 'GET', path: '/crm/v3/objects/companies/1', status: 200 },
          { method: 'POST', path: '/crm/v4/associations/companies/contacts/batch/read', inputs: 1, status: 200 },
          { method: 'GET', path: '/crm/v3/objects/companies/1', status: 401 },
        ]);
      });

      it('keeps only the latest requestLogLimit requests, dropping the oldest a tenth at a time, and counts them all', async () => {
        const small = await startCrmSandbox({ databaseUrl, tokens: [TOKEN], port: 0, requestLogLimit: 20 });
        try {
          for (let id = 1; id <= 25; id++) await call(small, 'GET', `/crm/v3/objects/companies/${id}`);
          // 20 kept, then each full log drops its 2 oldest before the next entry: 25 requests leave 7–25.
          expect(small.requests.map((r) => r.path)).toEqual(Array.from({ length: 19 }, (_, i) => `/crm/v3/objects/companies/${7 + i}`));
          expect(small.requestsServed).toBe(25);
          small.resetRequestLog();
          expect([small.requests.length, small.requestsServed]).toEqual([0, 0]);
        } finally {
          await small.close();
        }
        await expect(startCrmSandbox({ databaseUrl, tokens: [TOKEN], requestLogLimit: 0 })).rejects.toThrow(/requestLogLimit/);
      });
    });
  });
});
