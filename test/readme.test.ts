import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderScopeMatrixMarkdown } from '../gateway/authorization/scopeMatrix.js';
import { loadStackConfig } from '../stack/config.js';
import { postGraphQL } from './support/graphql.js';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * The README is for a newcomer, so what it shows must be true: its customer
 * 360 query is the one the e2e tests run, its variables name the showcase
 * customer of the default seed, its answer is what the default seed really
 * gives (dates aside: the seed places them relative to the day it runs), and
 * its scope matrix is the generated one.
 */
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const blocks = (lang: string) => [...readme.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);

function withoutDates(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutDates);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([key]) => !/date/i.test(key)).map(([k, v]) => [k, withoutDates(v)]));
  }
  return value;
}

describe('README', () => {
  let stack: TestStack;

  beforeAll(async () => {
    // Exactly what `npm start` seeds by default.
    const defaults = loadStackConfig({});
    stack = await startTestStack({ companies: defaults.seed.companies, seed: defaults.seed.seed });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('shows the customer 360 query the end-to-end tests run', () => {
    const query = blocks('graphql')[0];
    expect(query.trim()).toBe(readFileSync(new URL('./e2e/customer360.graphql', import.meta.url), 'utf8').trim());
  });

  it('shows the real answer of the default seed for its variables', async () => {
    const [variables, answer] = blocks('json').map((text) => JSON.parse(text));
    const { body } = await postGraphQL(stack.gatewayUrl, blocks('graphql')[0], variables, stack.headersFor('demo-admin'));
    expect(body.errors).toBeUndefined();
    expect(withoutDates(body)).toEqual(withoutDates(answer));
  });

  it('includes the generated scope matrix', () => {
    expect(readme).toContain(renderScopeMatrixMarkdown());
  });
});
