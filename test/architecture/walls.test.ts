import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeViolation, findWallViolations, repositoryRoot } from './walls.js';

describe('the walls between the parts (.dependency-cruiser.cjs)', () => {
  it('hold on the tree: no import crosses a wall and there is no import cycle', async () => {
    const violations = (await findWallViolations()).map(describeViolation);
    // The message lists each offending import, e.g.
    // "gateway-talks-to-subgraphs-over-http: gateway/planner.ts → subgraphs/erp/partners.ts".
    expect(violations, `imports that cross a wall:\n${violations.join('\n')}`).toEqual([]);
  });

  it('name each offending import in a tree that breaks them', async () => {
    const violations = (await findWallViolations(path.join(repositoryRoot, 'test/architecture/fixtures/violating'))).map(describeViolation).sort();
    expect(violations).toEqual([
      'gateway-talks-to-subgraphs-over-http: gateway/planner.ts → subgraphs/erp/partners.ts',
      'gateway-uses-only-the-registry-client: gateway/followRegistry.ts → schema/registry/store.ts',
      'mdm-engine-imports-no-service: mdm/match.ts → subgraphs/crm/companies.ts',
      'no-circular: platform/clock.ts → platform/config.ts → platform/clock.ts',
      'no-subgraph-imports-another: subgraphs/crm/companies.ts → subgraphs/erp/partners.ts',
      'only-launcher-bench-and-tests-import-sandbox: subgraphs/crm/searchInput.ts → sandbox/crm/search.ts',
    ]);
  });
});
