import { composeServices } from '@apollo/composition';
import { describe, expect, it } from 'vitest';
import { crmTypeDefs } from '../crm/typeDefs.js';
import { erpTypeDefs } from '../erp/typeDefs.js';
import { mdmTypeDefs } from './typeDefs.js';

describe('the MDM and ERP subgraphs', () => {
  it('compose into one supergraph where the ERP extends the golden Customer and Product', () => {
    const result = composeServices([
      { name: 'mdm', url: 'http://mdm.invalid/graphql', typeDefs: mdmTypeDefs },
      { name: 'erp', url: 'http://erp.invalid/graphql', typeDefs: erpTypeDefs },
    ]);
    expect(result.errors?.map((e) => e.message) ?? []).toEqual([]);
    const supergraph = result.supergraphSdl ?? '';
    expect(supergraph).toMatch(/type Customer\s+@join__type\(graph: ERP, key: "id"\)\s+@join__type\(graph: MDM, key: "id"\)/);
    expect(supergraph).toMatch(/orders\(last: Int = 10\): \[SalesOrder!\] @join__field\(graph: ERP, requires: "erpPartnerIds"\)/);
    expect(supergraph).toMatch(/@join__type\(graph: ERP, key: "sku"\)/);
  });
});

describe('the MDM, ERP and CRM subgraphs', () => {
  it('compose together, with the steward mutations and the search carrying their scopes', () => {
    const result = composeServices([
      { name: 'mdm', url: 'http://mdm.invalid/graphql', typeDefs: mdmTypeDefs },
      { name: 'erp', url: 'http://erp.invalid/graphql', typeDefs: erpTypeDefs },
      { name: 'crm', url: 'http://crm.invalid/graphql', typeDefs: crmTypeDefs },
    ]);
    expect(result.errors?.map((e) => e.message) ?? []).toEqual([]);
    const supergraph = result.supergraphSdl ?? '';
    expect(supergraph).toMatch(/type Mutation\s+@join__type\(graph: MDM\)/);
    expect(supergraph).toMatch(/mergeCustomers\(ids: \[ID!\]!, reason: String, idempotencyKey: String\): StewardResult! @requiresScopes\(scopes: \[\["mdm:steward"\]\]\)/);
    expect(supergraph).toMatch(/searchCustomers\([^)]*\): CustomerConnection! @join__field\(graph: MDM\) @requiresScopes\(scopes: \[\["customers:read"\]\]\)/);
    // Products are public, like the rest of Product.
    expect(supergraph).toMatch(/searchProducts\([^)]*\): ProductConnection! @join__field\(graph: MDM\)\n/);
    expect(supergraph).toMatch(/reviewQueue\([^)]*\): MatchCandidateConnection! @join__field\(graph: MDM\) @requiresScopes\(scopes: \[\["mdm:steward"\]\]\)/);
  });
});
