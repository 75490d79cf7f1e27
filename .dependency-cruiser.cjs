/**
 * The walls between Concord's parts (docs/architecture.md draws the map).
 * test/architecture.test.ts runs these rules over the tree and fails naming
 * each offending import; `npm run walls` prints the same report.
 *
 * Production code keeps every wall. Tests, fixtures and test helpers
 * (`*.test.ts`, `*.fixture.ts`, `test/`, `testing/` folders) may reach across
 * walls to wire parts together, except into a cycle.
 *
 * Paths are relative to the repository root. `from.path`/`to.path` are regular
 * expressions; `$1` in `to` refers to the group captured in `from`.
 */
const TESTS = '(^|/)(test|testing)/|\\.(test|fixture)\\.ts$';
const SERVICES = '^(gateway|subgraphs|schema|events|console)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle ties parts together so that neither can change, load or be tested alone.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'platform-imports-no-service',
      severity: 'error',
      comment: 'platform/ is what every service shares; it imports none of them (nor the launcher, the stand-ins, the CLI or the tests).',
      from: { path: '^platform/', pathNot: TESTS },
      to: { path: '^(gateway|subgraphs|mdm|schema|events|console|sandbox|stack|bin|bench|test)/' },
    },
    {
      name: 'gateway-talks-to-subgraphs-over-http',
      severity: 'error',
      comment: 'The gateway reaches subgraphs, the MDM engine, the event pipeline and the source stand-ins only over the network.',
      from: { path: '^gateway/', pathNot: TESTS },
      to: { path: '^(subgraphs|mdm|sandbox|stack|events|console|bin)/' },
    },
    {
      name: 'gateway-uses-only-the-registry-client',
      severity: 'error',
      comment: "The gateway follows the registry through its client (schema/client/), never the registry's internals.",
      from: { path: '^gateway/', pathNot: TESTS },
      to: { path: '^schema/', pathNot: '^schema/client/' },
    },
    {
      name: 'no-subgraph-imports-another',
      severity: 'error',
      comment: 'Subgraphs meet only in the supergraph: one contributes to another\'s entities through federation, never by import.',
      from: { path: '^subgraphs/([^/]+)/', pathNot: TESTS },
      to: { path: '^subgraphs/', pathNot: '^subgraphs/$1/' },
    },
    {
      name: 'mdm-engine-imports-no-service',
      severity: 'error',
      comment: 'The match/merge engine is a library: the MDM subgraph and the event pipeline use it, it knows none of them.',
      from: { path: '^mdm/', pathNot: TESTS },
      to: { path: `${SERVICES}|^(stack|bin)/` },
    },
    {
      name: 'registry-imports-no-gateway-or-launcher',
      severity: 'error',
      comment: 'The schema registry runs on its own; the gateway and the demo launcher depend on it, not the other way round.',
      from: { path: '^schema/', pathNot: TESTS },
      to: { path: '^(gateway|stack)/' },
    },
    {
      name: 'only-launcher-bench-and-tests-import-sandbox',
      severity: 'error',
      comment: 'sandbox/ holds stand-ins for the source systems; production code reaches a source over its own protocol, never the stand-in\'s code.',
      from: { pathNot: `^(sandbox|stack|bench|bin)/|${TESTS}` },
      to: { path: '^sandbox/' },
    },
    {
      name: 'no-production-code-imports-tests',
      severity: 'error',
      comment: 'Test helpers are not part of the product.',
      from: { pathNot: `^(bench|bin)/|${TESTS}` },
      to: { path: TESTS },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/|^bench/peers/|\\.scaffold-|^test/architecture/fixtures/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.mts', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
    },
  },
};
