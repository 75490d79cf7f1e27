import { Readable } from 'node:stream';
import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { checkBatch, readLimitedBody, RequestLimitError } from './httpLimits.js';
import { checkOperationLimits } from './operationLimits.js';

const schema = buildSchema(`
  type Query { customer(id: ID): Customer customers(first: Int, last: Int): [Customer!]! }
  type Customer { id: ID! name: String parent: Customer contacts(first: Int): [Contact!]! orders(first: Int): [Order!]! }
  type Contact { name: String email: String }
  type Order { number: String lines(first: Int): [Line!]! }
  type Line { quantity: Int }
`);

/** Runs `check`, returning its codes and how long it took (ms). */
function timed(check: () => { errors: { extensions: Record<string, unknown> }[] }) {
  const start = performance.now();
  const { errors } = check();
  return { codes: errors.map((e) => e.extensions.code), ms: performance.now() - start };
}

describe('operation limits', () => {
  it('lets the Customer 360 shape through with its measure', () => {
    const result = checkOperationLimits('{ customer(id: "1") { id name contacts { name email } orders(first: 5) { number lines { quantity } } } }', {}, { schema });
    expect(result.errors).toEqual([]);
    // customer 1 + (id 1 + name 1 + contacts (1 + 10 default × 2) + orders (1 + 5 × (number 1 + lines (1 + 10 × 1)))) = 85
    expect(result.measure).toEqual({ depth: 4, aliases: 0, rootFields: 1, directives: 0, cost: 85 });
  });

  it('refuses a 200-deep query fast with MAX_DEPTH_EXCEEDED', () => {
    const query = `{ customer { ${'parent { '.repeat(199)}id${' }'.repeat(199)} } }`;
    const { codes, ms } = timed(() => checkOperationLimits(query, {}, { schema }));
    expect(codes).toContain('MAX_DEPTH_EXCEEDED');
    expect(ms).toBeLessThan(200);
  });

  it('refuses 1,000 aliases, __typename aliases included, fast with MAX_ALIASES_EXCEEDED', () => {
    const query = `{ customer { ${Array.from({ length: 1000 }, (_, i) => `t${i}: __typename`).join(' ')} } }`;
    const { codes, ms } = timed(() => checkOperationLimits(query, { maxTokens: 10_000 }, { schema }));
    expect(codes).toEqual(['MAX_ALIASES_EXCEEDED']);
    expect(ms).toBeLessThan(200);
  });

  it('refuses a 1 MB query while lexing with MAX_TOKENS_EXCEEDED', () => {
    const query = `{ ${'customer { id } '.repeat(65_000)} }`;
    expect(query.length).toBeGreaterThan(1_000_000);
    const { codes, ms } = timed(() => checkOperationLimits(query, {}, { schema }));
    expect(codes).toEqual(['MAX_TOKENS_EXCEEDED']);
    expect(ms).toBeLessThan(200);
  });

  it('refuses a cost bomb (first: 100000 nested three deep) with MAX_COST_EXCEEDED', () => {
    const query = '{ customers(first: 100000) { contacts(first: 100000) { name } orders(first: 100000) { lines(first: 100000) { quantity } } } }';
    const { codes, ms } = timed(() => checkOperationLimits(query, {}, { schema }));
    expect(codes).toEqual(['MAX_COST_EXCEEDED']);
    expect(ms).toBeLessThan(200);
  });

  it('reads list sizes from variables', () => {
    const query = 'query($n: Int) { customers(last: $n) { name } }';
    expect(checkOperationLimits(query, { maxCost: 100 }, { schema, variables: { n: 50 } }).errors).toEqual([]);
    expect(checkOperationLimits(query, { maxCost: 100 }, { schema, variables: { n: 5000 } }).errors[0].extensions.code).toBe('MAX_COST_EXCEEDED');
  });

  it('measures a fragment fan-out bomb by its expansion without expanding it', () => {
    const levels = 30;
    const fragments = Array.from({ length: levels }, (_, i) =>
      i === levels - 1 ? `fragment F${i} on Customer { name }` : `fragment F${i} on Customer { ...F${i + 1} parent { ...F${i + 1} } }`,
    ).join('\n');
    const { codes, ms } = timed(() => checkOperationLimits(`{ customer { ...F0 } }\n${fragments}`, {}, { schema }));
    expect(codes).toEqual(expect.arrayContaining(['MAX_DEPTH_EXCEEDED', 'MAX_COST_EXCEEDED']));
    expect(ms).toBeLessThan(200);
  });

  it('counts root fields and directives', () => {
    const roots = `{ ${Array.from({ length: 21 }, (_, i) => `c${i}: customer { id }`).join(' ')} }`;
    expect(checkOperationLimits(roots, { maxAliases: 100 }).errors.map((e) => e.extensions.code)).toEqual(['MAX_ROOT_FIELDS_EXCEEDED']);
    const directives = `{ customer { ${Array.from({ length: 51 }, () => 'id @include(if: true)').join(' ')} } }`;
    expect(checkOperationLimits(directives).errors.map((e) => e.extensions.code)).toEqual(['MAX_DIRECTIVES_EXCEEDED']);
  });

  it('says what the limit was and what came', () => {
    const [error] = checkOperationLimits('{ a { b { c } } }', { maxDepth: 2 }).errors;
    expect(error.message).toBe('The operation has a depth of 3, over the limit of 2.');
    expect(error.extensions).toEqual({ code: 'MAX_DEPTH_EXCEEDED', limit: 2, actual: 3, http: { status: 400 } });
  });

  it('keeps parse errors apart from limit errors', () => {
    expect(checkOperationLimits('{ customer { ').errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
  });
});

describe('HTTP limits', () => {
  const body = (text: string, headers: Record<string, string> = {}) => Object.assign(Readable.from([Buffer.from(text)]), { headers });

  it('refuses a body larger than the limit from its Content-Length, and while streaming without one', async () => {
    await expect(readLimitedBody(body('x', { 'content-length': String(2_000_000) }), 1024)).rejects.toMatchObject({ code: 'BODY_TOO_LARGE', status: 413 });
    await expect(readLimitedBody(body('y'.repeat(2048)), 1024)).rejects.toBeInstanceOf(RequestLimitError);
    expect((await readLimitedBody(body('{"query":"{a}"}'), 1024)).toString()).toBe('{"query":"{a}"}');
  });

  it('refuses batches unless enabled, and 100 operations even when enabled', () => {
    const batch = Array.from({ length: 100 }, () => ({ query: '{ a }' }));
    expect(() => checkBatch(batch)).toThrow(expect.objectContaining({ code: 'BATCHING_DISABLED' }));
    expect(() => checkBatch(batch, { batching: true })).toThrow(expect.objectContaining({ code: 'MAX_BATCH_SIZE_EXCEEDED' }));
    expect(checkBatch(batch.slice(0, 3), { batching: true })).toHaveLength(3);
    expect(checkBatch({ query: '{ a }' })).toEqual([{ query: '{ a }' }]);
  });
});
