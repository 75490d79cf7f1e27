import { readFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { operationFromDocument, Supergraph } from '@apollo/federation-internals';
import { prettyFormatQueryPlan, QueryPlanner } from '@apollo/query-planner';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { CUSTOMER_LIST_QUERY } from '../../bench/gatewayQueries.js';
import { stripAuthorizationDirectives } from '../../gateway/authorization/index.js';
import { crmTypeDefs } from '../../subgraphs/crm/typeDefs.js';
import { erpTypeDefs } from '../../subgraphs/erp/typeDefs.js';
import { mdmTypeDefs } from '../../subgraphs/mdm/typeDefs.js';

/**
 * Query plans as data: the plans the gateway makes for the customer 360 and
 * the customer list, printed by Apollo's own formatter into files next to this
 * test. A change in plan shape (one more fetch, a fetch that no longer runs in
 * parallel, a @requires that now costs a round trip) shows as a diff of those
 * files in review; `npx vitest run test/plans -u` rewrites them on purpose.
 *
 * The planner is built the way @apollo/gateway builds it (default config) from
 * the supergraph the gateway plans with: the three subgraphs composed, and the
 * authorization directives stripped (gateway/supergraph/manager.ts).
 */
function gatewayPlanner() {
  const composed = composeServices([
    { name: 'mdm', url: 'http://mdm.invalid/graphql', typeDefs: mdmTypeDefs },
    { name: 'erp', url: 'http://erp.invalid/graphql', typeDefs: erpTypeDefs },
    { name: 'crm', url: 'http://crm.invalid/graphql', typeDefs: crmTypeDefs },
  ]);
  if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join('\n'));
  const supergraph = Supergraph.build(stripAuthorizationDirectives(composed.supergraphSdl));
  const planner = new QueryPlanner(supergraph);
  return (query: string) => prettyFormatQueryPlan(planner.buildQueryPlan(operationFromDocument(supergraph.schema, parse(query), { validate: true })));
}

const customer360 = readFileSync(new URL('../e2e/customer360.graphql', import.meta.url), 'utf8');

describe('the gateway query plans', () => {
  const plan = gatewayPlanner();

  it('for the customer 360: the golden record from the MDM, then the CRM beside the ERP and the product names after it', async () => {
    const printed = plan(customer360);
    await expect(printed).toMatchFileSnapshot('./customer360.plan.txt');
    expect(printed).toMatch(/^QueryPlan \{\n  Sequence \{\n    Fetch\(service: "mdm"\)/);
    expect(printed.match(/Fetch\(service: "(\w+)"\)/g)).toEqual(['Fetch(service: "mdm")', 'Fetch(service: "crm")', 'Fetch(service: "erp")', 'Fetch(service: "mdm")']);
  });

  it('for the customer list: one fetch per subgraph for the whole page, not one per customer', async () => {
    const printed = plan(CUSTOMER_LIST_QUERY);
    await expect(printed).toMatchFileSnapshot('./customerList.plan.txt');
    // Four fetches whatever the page size: entity fetches are batched per subgraph.
    expect(printed.match(/Fetch\(service: "(\w+)"\)/g)).toEqual(['Fetch(service: "mdm")', 'Fetch(service: "crm")', 'Fetch(service: "erp")', 'Fetch(service: "mdm")']);
  });
});
