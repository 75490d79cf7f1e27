import { composeServices } from '@apollo/composition';
import { describe, expect, it } from 'vitest';
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
