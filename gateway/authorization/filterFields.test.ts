import { buildSchema, execute, parse, print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { readAuthorizationRules } from '../../platform/auth/directives.js';
import { userPrincipal } from '../../platform/auth/principal.js';
import { authorizeOperation, shapeAuthorizedResult } from './authorizeOperation.js';

const sdl = `
  directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE
  directive @pii(mask: PiiMask!) on FIELD_DEFINITION
  enum PiiMask { EMAIL PHONE NAME TAX_ID REDACT }
  type Query { search: [Result!]! parties: [Party!]! }
  union Result = Customer | Ticket
  interface Party { id: ID! name: String }
  type Customer implements Party { id: ID! name: String creditLimit: Float @requiresScopes(scopes: [["finance:read"]]) }
  type Ticket @requiresScopes(scopes: [["support:read"]]) { id: ID! subject: String }
  type Person implements Party { id: ID! name: String @pii(mask: NAME) }
`;
const schema = buildSchema(sdl);
const rules = readAuthorizationRules(sdl);
const rootValue = {
  search: [
    { __typename: 'Customer', id: 'c1', name: 'Acme', creditLimit: 10 },
    { __typename: 'Ticket', id: 't1', subject: 'Broken' },
  ],
  parties: [
    { __typename: 'Customer', id: 'c1', name: 'Acme', creditLimit: 10 },
    { __typename: 'Person', id: 'p1', name: 'Jane Doe' },
  ],
};

async function run(scopes: string[], source: string) {
  const operation = authorizeOperation({ document: parse(source), schema, rules, principal: userPrincipal('u', scopes) });
  const executed = (await execute({ schema, document: operation.document, rootValue })) as { data?: Record<string, unknown> | null };
  return { ...shapeAuthorizedResult(JSON.parse(JSON.stringify(executed)), operation), sent: print(operation.document) };
}

describe('filtering under unions and interfaces', () => {
  it('nulls a field only on the objects of the type condition it was removed under', async () => {
    const { result } = await run(['support:read'], '{ search { ... on Customer { name creditLimit } ... on Ticket { subject } } }');
    expect(result.data).toEqual({ search: [{ name: 'Acme', creditLimit: null }, { subject: 'Broken' }] });
    expect(result.errors).toEqual([expect.objectContaining({ path: ['search', '@', 'creditLimit'] })]);
  });

  it('removes every field of a protected type selected through a fragment', async () => {
    const { result, sent } = await run(['finance:read'], '{ search { ... on Ticket { id subject } ... on Customer { id } } }');
    expect(sent).not.toContain('subject');
    expect(result.data).toEqual({ search: [{ id: 'c1' }, {}] });
    expect(result.errors).toEqual([expect.objectContaining({ path: ['search', '@'], extensions: expect.objectContaining({ coordinate: 'Ticket' }) })]);
  });

  it('masks PII declared on one implementation only', async () => {
    const { result, reads } = await run([], '{ parties { id name } }');
    // Party.name has no @pii: the gateway cannot know at planning time; Person.name is masked when selected on Person.
    expect(result.data).toEqual({ parties: [{ id: 'c1', name: 'Acme' }, { id: 'p1', name: 'Jane Doe' }] });
    const onPerson = await run([], '{ parties { id ... on Person { name } } }');
    expect(onPerson.result.data).toEqual({ parties: [{ id: 'c1' }, { id: 'p1', name: 'J. D.' }] });
    expect(onPerson.reads).toEqual({ fields: ['Person.name'], entityIds: ['p1'], masked: true });
    expect(reads.fields).toEqual([]);
  });
});
