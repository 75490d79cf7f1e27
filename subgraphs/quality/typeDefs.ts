import { parse } from 'graphql';

/**
 * The quality subgraph's SDL: reconciliation runs and findings, the
 * data-quality profile and its trend (docs/adr/0013-reconciliation.md).
 * Reading needs `reconcile:read`; acknowledging, resolving and running jobs
 * `reconcile:write`; money needs `finance:read` (the amounts come back null
 * with an authorization error and the rest of the answer still comes); the
 * disputed attribute values (tax ids among them) are masked without
 * `pii:read`. Summaries name no amounts and no disputed values, so nothing
 * protected leaks through them.
 */
export const qualityTypeDefsSource = /* GraphQL */ `
  extend schema
    @link(
      url: "https://specs.apollo.dev/federation/v2.5"
      import: ["@key", "@shareable", "@requiresScopes", "@authenticated", "@composeDirective"]
    )
    @link(url: "https://specs.concord.dev/pii/v0.1", import: ["@pii"])
    @composeDirective(name: "@pii")

  "Masks the value for callers without pii:read instead of denying it (ADR 0003)."
  directive @pii(mask: PiiMask!) on FIELD_DEFINITION
  enum PiiMask { EMAIL PHONE NAME TAX_ID REDACT }

  type Query {
    "Findings the latest runs see (by default), newest first, filtered. \`first\` is from 1 to 500."
    findings(filter: FindingFilter, first: Int = 50, after: String): FindingConnection!
      @requiresScopes(scopes: [["reconcile:read"]])
    "One finding by id (also when cleared); null when there is none."
    finding(id: ID!): Finding @requiresScopes(scopes: [["reconcile:read"]])
    "Counts per kind and state of the findings the latest runs see, and the latest run of each job."
    reconciliationSummary: ReconciliationSummary! @requiresScopes(scopes: [["reconcile:read"]])
    "Job runs, newest first, with the findings each saw per kind: the trend over time. \`first\` is from 1 to 500."
    reconciliationRuns(job: ReconciliationJob, first: Int = 50): [ReconciliationRun!]!
      @requiresScopes(scopes: [["reconcile:read"]])
    "Per month, the customers whose CRM and ERP totals differ (amounts need finance:read)."
    mismatchedTotalsByMonth: [MonthlyMismatch!]! @requiresScopes(scopes: [["reconcile:read"]])
    "The latest data-quality profile: one row per source, entity and field."
    qualityProfile: [FieldQuality!]! @requiresScopes(scopes: [["reconcile:read"]])
    "The profile of the last \`runs\` profiling runs (1 to 100), oldest first."
    qualityTrend(runs: Int = 20): [FieldQuality!]! @requiresScopes(scopes: [["reconcile:read"]])
  }

  """
  Changing a finding's state needs a comment (at most 2,000 characters) and the
  version the caller read: a finding changed since is refused with
  RECON_VERSION_CONFLICT, so two users never resolve one finding twice. Other
  codes: RECON_FINDING_NOT_FOUND, RECON_INVALID_TRANSITION,
  RECON_COMMENT_REQUIRED, RECON_COMMENT_TOO_LONG. Each change is written with
  its audit event in one transaction.
  """
  type Mutation {
    "open → acknowledged: someone knows and is on it."
    acknowledgeFinding(id: ID!, expectedVersion: Int!, comment: String!): Finding!
      @requiresScopes(scopes: [["reconcile:write"]])
    "open or acknowledged → resolved. A run that still sees the discrepancy reopens it."
    resolveFinding(id: ID!, expectedVersion: Int!, comment: String!): Finding!
      @requiresScopes(scopes: [["reconcile:write"]])
    "Runs jobs now (all when none are given), one after another; RECON_JOB_RUNNING when one is running already."
    runReconciliation(jobs: [ReconciliationJob!]): [ReconciliationRun!]!
      @requiresScopes(scopes: [["reconcile:write"]])
  }

  enum ReconciliationJob { ORDERS_INVOICES ATTRIBUTES COVERAGE QUALITY_PROFILE }

  enum FindingKind {
    "A closed-won deal with no ERP sale order or invoice of its customer within the window."
    DEAL_WON_WITHOUT_ERP_SALE
    "An ERP customer with invoices that the CRM doesn't know."
    ERP_INVOICES_UNKNOWN_TO_CRM
    "A month where a customer's won deals and invoices differ beyond the tolerance."
    MONTHLY_TOTAL_MISMATCH
    "Source records of one golden record disagree on a fact (tax id, domain, postcode, country, price, GTIN)."
    ATTRIBUTE_CONFLICT
    "A source record no golden record holds."
    SOURCE_WITHOUT_GOLDEN
    "A golden record only one source record speaks for."
    SINGLE_SOURCE_GOLDEN
    "A source record unchanged for longer than the stale limit."
    STALE_RECORD
    "A record held back by ingestion validation."
    QUARANTINED_RECORD
  }

  enum FindingState { OPEN ACKNOWLEDGED RESOLVED }

  input FindingFilter {
    kinds: [FindingKind!]
    states: [FindingState!]
    "Cleared findings too (no longer seen by the latest run). @default false"
    includeCleared: Boolean
    "customer or product"
    entityType: String
    masterId: ID
    "Inclusive YYYY-MM bounds on monthly findings."
    monthFrom: String
    monthTo: String
    "Words in the summary."
    text: String
  }

  type FindingConnection {
    totalCount: Int!
    nodes: [Finding!]!
    "Pass as \`after\` for the next page; null on the last page."
    endCursor: String
    hasNextPage: Boolean!
  }

  "An entity, so other subgraphs can point at a finding by id."
  type Finding @key(fields: "id") {
    "fnd_ and 20 hex digits, derived from the kind and the records: stable across runs."
    id: ID!
    kind: FindingKind!
    job: ReconciliationJob!
    "What it is about, e.g. crm:deal:10000123 or customer|crm:10000001+erp:1|2026-03."
    key: String!
    entityType: String!
    "The golden record it concerns, when there is one (use it with Query.customer)."
    masterId: ID
    summary: String!
    "YYYY-MM for monthly totals."
    month: String
    state: FindingState!
    "Pass it back to acknowledge or resolve."
    version: Int!
    "Whether the latest run of its job still sees it."
    present: Boolean!
    firstSeenAt: String!
    lastSeenAt: String!
    stateComment: String
    stateBy: String
    stateAt: String
    "The records in each source it is about, for the side-by-side drill-down."
    records: [FindingRecord!]!
    "The finance figures of an orders/invoices finding."
    amounts: FindingAmounts @requiresScopes(scopes: [["finance:read"]])
    "For ATTRIBUTE_CONFLICT: the values and what survivorship kept."
    conflict: AttributeConflict
    "Other facts (window, tolerance, days unchanged, rule code …) as name/value pairs."
    details: [FindingDetail!]!
    "Its audit trail, oldest first: detected, acknowledged, resolved, reopened, cleared."
    events: [FindingEvent!]!
  }

  type FindingRecord {
    "erp, crm or mdm"
    system: String!
    "res_partner, sale_order, account_move, companies, deals, products …"
    type: String!
    id: ID!
    label: String
    date: String
    stage: String
    currency: String
    amount: Float @requiresScopes(scopes: [["finance:read"]])
    "The disputed attribute's value as the source holds it (ATTRIBUTE_CONFLICT)."
    value: String @requiresScopes(scopes: [["reconcile:read"]]) @pii(mask: REDACT)
  }

  type FindingAmounts {
    crm: Float
    erp: Float
    "CRM minus ERP."
    difference: Float
    currency: String
  }

  type AttributeConflict {
    attribute: String!
    "The distinct standardised values."
    values: [String!]! @requiresScopes(scopes: [["reconcile:read"]]) @pii(mask: REDACT)
    "The value survivorship kept on the golden record."
    survivor: String @requiresScopes(scopes: [["reconcile:read"]]) @pii(mask: REDACT)
    "erp:12 / crm:10000001: where it came from."
    survivorSource: String
    survivorRule: String
  }

  type FindingDetail {
    name: String!
    value: String
  }

  type FindingEvent {
    id: ID!
    at: String!
    actor: String!
    action: String!
    fromState: FindingState
    toState: FindingState
    comment: String
    runId: ID
  }

  type ReconciliationRun {
    id: ID!
    job: ReconciliationJob!
    "schedule or manual"
    trigger: String!
    actor: String!
    "running, succeeded or failed"
    status: String!
    startedAt: String!
    finishedAt: String
    asOf: String!
    counts: [KindCount!]!
    error: String
  }

  type KindCount {
    kind: FindingKind!
    count: Int!
  }

  type KindSummary {
    kind: FindingKind!
    open: Int!
    acknowledged: Int!
    resolved: Int!
    total: Int!
  }

  type ReconciliationSummary {
    kinds: [KindSummary!]!
    "The latest run of each job."
    latestRuns: [ReconciliationRun!]!
  }

  type MonthlyMismatch {
    month: String!
    "Customers whose totals differ in this month."
    customers: Int!
    totals: MoneyTotals @requiresScopes(scopes: [["finance:read"]])
  }

  type MoneyTotals {
    crm: Float!
    erp: Float!
    "CRM minus ERP, summed over the customers."
    difference: Float!
  }

  type FieldQuality {
    system: String!
    entityType: String!
    field: String!
    records: Int!
    present: Int!
    "Present values passing the field's rule; null when it has none."
    valid: Int
    distinctValues: Int!
    "present / records"
    completeness: Float!
    "valid / present; null without a rule."
    validity: Float
    "distinct / present"
    uniqueness: Float!
    runId: ID!
    at: String!
  }
`;

export const qualityTypeDefs = parse(qualityTypeDefsSource);
