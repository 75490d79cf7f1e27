import { maskValue } from '../../platform/auth/masks.js';
import { PROTECTED_FIELDS, type ProtectedField } from '../../gateway/authorization/scopeMatrix.js';

/**
 * How the security tests reach each protected coordinate of the matrix:
 * one operation through the gateway, and one straight to the subgraph that
 * declares it (`_entities` for entity fields, the root field otherwise), with
 * `pick` reading the value the cell is about. Adding a protected field to
 * PROTECTED_FIELDS without a probe here fails the matrix test.
 */
export interface Samples {
  customerId: string;
  erpPartnerIds: string[];
  crmCompanyIds: string[];
  productSku: string;
  productId: string;
  /** A monthly-totals finding (has amounts) and an attribute conflict (has disputed values). */
  mismatchFindingId: string;
  conflictFindingId: string;
}

type Json = any;

export interface Probe {
  query: string;
  variables?: Record<string, unknown>;
  /** The value the cell is about (null/undefined when refused). */
  pick(data: Json): unknown;
  /** Mutations: only whether the resolver was reached is compared, never values. */
  mutation?: boolean;
}

export interface CoordinateProbes {
  gateway: Probe;
  /** Omitted for type rows whose fields are probed through their root field already. */
  direct?: Probe & { subgraph: 'erp' | 'crm' | 'mdm' | 'quality' };
}

const customerQuery = (selection: string) => `query Probe($id: ID!) { customer(id: $id) { id ${selection} } }`;
const entitiesQuery = (type: string, selection: string) =>
  `query Probe($representations: [_Any!]!) { _entities(representations: $representations) { ... on ${type} { ${selection} } } }`;

function customerField(selection: string, subgraph: 'erp' | 'crm' | 'mdm', s: Samples, pickInner: (customer: Json) => unknown): CoordinateProbes {
  const representation: Record<string, unknown> = { __typename: 'Customer', id: s.customerId };
  if (subgraph === 'erp') representation.erpPartnerIds = s.erpPartnerIds;
  if (subgraph === 'crm') representation.crmCompanyIds = s.crmCompanyIds;
  return {
    gateway: { query: customerQuery(selection), variables: { id: s.customerId }, pick: (data) => (data?.customer ? pickInner(data.customer) : undefined) },
    direct: {
      subgraph,
      query: entitiesQuery('Customer', selection),
      variables: { representations: [representation] },
      pick: (data) => (data?._entities?.[0] ? pickInner(data._entities[0]) : undefined),
    },
  };
}

function root(subgraph: 'mdm' | 'quality', query: string, pick: (data: Json) => unknown, mutation = false, variables?: Record<string, unknown>): CoordinateProbes {
  return { gateway: { query, pick, mutation, variables }, direct: { subgraph, query, pick, mutation, variables } };
}

/** A list's values, or null when every one was refused (a denied leaf nulls each element's field). */
const valuesOrNull = (values: unknown[] | undefined) => {
  const kept = values?.filter((v) => v !== null && v !== undefined);
  return kept && kept.length > 0 ? kept : null;
};

/** Ids no golden record or event has: a steward mutation reaches its resolver and fails there, changing nothing. */
const NO_SUCH = '999999999';

export function probesFor(s: Samples): Record<string, CoordinateProbes> {
  const list = (key: string) => (c: Json) => c[key];
  const contacts = (key: string) => (c: Json) => (c.contacts ? c.contacts.map((contact: Json) => contact[key]) : c.contacts);
  const reviewQueue = 'query Probe { reviewQueue(first: 1) { nodes { id left { system attributes { name } } explanation { attribute } } edges { cursor } } }';
  const history = 'query Probe { history(first: 1) { id action } }';
  const quarantine = 'query Probe { quarantinedRecords(first: 1) { id rule } }';
  const merge = `mutation Probe { mergeCustomers(ids: ["${NO_SUCH}", "${NO_SUCH}1"], idempotencyKey: "probe") { replayed event { id } } }`;
  return {
    Customer: customerField('name', 'mdm', s, list('name')),
    'Customer.taxId': customerField('taxId', 'mdm', s, list('taxId')),
    'Customer.primaryEmail': customerField('primaryEmail', 'mdm', s, list('primaryEmail')),
    'Customer.phone': customerField('phone', 'mdm', s, list('phone')),
    'Product.stock': {
      gateway: { query: 'query Probe($id: ID!) { product(id: $id) { sku stock { onHand } } }', variables: { id: s.productId }, pick: (d) => d?.product?.stock },
      direct: {
        subgraph: 'erp',
        query: entitiesQuery('Product', 'sku stock { onHand }'),
        variables: { representations: [{ __typename: 'Product', sku: s.productSku }] },
        pick: (d) => d?._entities?.[0]?.stock,
      },
    },
    'Product.sources': {
      gateway: { query: 'query Probe($id: ID!) { product(id: $id) { id sources { system sourceId } } }', variables: { id: s.productId }, pick: (d) => d?.product?.sources },
      direct: {
        subgraph: 'mdm',
        query: entitiesQuery('Product', 'id sources { system sourceId }'),
        variables: { representations: [{ __typename: 'Product', id: s.productId }] },
        pick: (d) => d?._entities?.[0]?.sources,
      },
    },
    'Customer.creditLimit': customerField('creditLimit', 'erp', s, list('creditLimit')),
    'Customer.openBalance': customerField('openBalance', 'erp', s, list('openBalance')),
    'Customer.invoices': customerField('invoices { number amountDue }', 'erp', s, list('invoices')),
    'Customer.overdueInvoices': customerField('overdueInvoices { number }', 'erp', s, list('overdueInvoices')),
    'Customer.orders': customerField('orders(last: 3) { number total }', 'erp', s, list('orders')),
    'Customer.contacts': customerField('contacts { id jobTitle }', 'crm', s, list('contacts')),
    'Contact.name': customerField('contacts { id name }', 'crm', s, contacts('name')),
    'Contact.firstName': customerField('contacts { id firstName }', 'crm', s, contacts('firstName')),
    'Contact.lastName': customerField('contacts { id lastName }', 'crm', s, contacts('lastName')),
    'Contact.email': customerField('contacts { id email }', 'crm', s, contacts('email')),
    'Contact.phone': customerField('contacts { id phone }', 'crm', s, contacts('phone')),
    'Customer.deals': customerField('deals { id name amount }', 'crm', s, list('deals')),
    'Customer.tickets': customerField('tickets { id subject }', 'crm', s, list('tickets')),
    'Query.searchCustomers': root('mdm', 'query Probe { searchCustomers(name: "a", first: 2) { nodes { id } } }', (d) => d?.searchCustomers),
    'Query.reviewQueue': root('mdm', reviewQueue, (d) => d?.reviewQueue),
    'Query.history': root('mdm', history, (d) => d?.history),
    'Query.quarantinedRecords': root('mdm', quarantine, (d) => d?.quarantinedRecords),
    'Mutation.acceptMatchCandidate': root('mdm', `mutation Probe { acceptMatchCandidate(id: "${NO_SUCH}") { replayed } }`, (d) => d?.acceptMatchCandidate, true),
    'Mutation.rejectMatchCandidate': root('mdm', `mutation Probe { rejectMatchCandidate(id: "${NO_SUCH}") { replayed } }`, (d) => d?.rejectMatchCandidate, true),
    'Mutation.mergeCustomers': root('mdm', merge, (d) => d?.mergeCustomers, true),
    'Mutation.mergeProducts': root('mdm', `mutation Probe { mergeProducts(ids: ["${NO_SUCH}", "${NO_SUCH}1"]) { replayed } }`, (d) => d?.mergeProducts, true),
    'Mutation.unmergeSourceRecord': root('mdm', `mutation Probe { unmergeSourceRecord(entityType: CUSTOMER, system: ERP, sourceId: "${NO_SUCH}") { replayed } }`, (d) => d?.unmergeSourceRecord, true),
    'Mutation.undoHistoryEvent': root('mdm', `mutation Probe { undoHistoryEvent(eventId: "${NO_SUCH}") { replayed } }`, (d) => d?.undoHistoryEvent, true),
    // Reconciliation: selections of what stays the same while the probes run (the run probe adds profiling runs only).
    'Query.findings': root('quality', 'query Probe { findings(first: 3) { totalCount nodes { id kind state } } }', (d) => d?.findings),
    'Query.finding': root('quality', 'query Probe($id: ID!) { finding(id: $id) { id kind key } }', (d) => d?.finding, false, { id: s.mismatchFindingId }),
    'Query.reconciliationSummary': root('quality', 'query Probe { reconciliationSummary { kinds { kind total } } }', (d) => d?.reconciliationSummary),
    'Query.reconciliationRuns': root('quality', 'query Probe { reconciliationRuns(job: ATTRIBUTES, first: 1) { job status } }', (d) => d?.reconciliationRuns),
    'Query.mismatchedTotalsByMonth': root('quality', 'query Probe { mismatchedTotalsByMonth { month customers } }', (d) => d?.mismatchedTotalsByMonth),
    'Query.qualityProfile': root('quality', 'query Probe { qualityProfile { system entityType field completeness } }', (d) => d?.qualityProfile),
    'Query.qualityTrend': root('quality', 'query Probe { qualityTrend(runs: 1) { system field present } }', (d) => d?.qualityTrend),
    'Mutation.acknowledgeFinding': root('quality', 'mutation Probe { acknowledgeFinding(id: "fnd_00000000000000000000", expectedVersion: 1, comment: "probe") { id } }', (d) => d?.acknowledgeFinding, true),
    'Mutation.resolveFinding': root('quality', 'mutation Probe { resolveFinding(id: "fnd_00000000000000000000", expectedVersion: 1, comment: "probe") { id } }', (d) => d?.resolveFinding, true),
    'Mutation.runReconciliation': root('quality', 'mutation Probe { runReconciliation(jobs: [QUALITY_PROFILE]) { job } }', (d) => d?.runReconciliation, true),
    'Finding.amounts': root('quality', 'query Probe($id: ID!) { finding(id: $id) { id amounts { crm erp difference } } }', (d) => d?.finding?.amounts, false, { id: s.mismatchFindingId }),
    'FindingRecord.amount': root('quality', 'query Probe($id: ID!) { finding(id: $id) { id records { id amount } } }',
      (d) => valuesOrNull(d?.finding?.records?.map((r: Json) => r.amount)), false, { id: s.mismatchFindingId }),
    'MonthlyMismatch.totals': root('quality', 'query Probe { mismatchedTotalsByMonth { month totals { difference } } }',
      (d) => valuesOrNull(d?.mismatchedTotalsByMonth?.map((m: Json) => m.totals)), false),
    'FindingRecord.value': root('quality', 'query Probe($id: ID!) { finding(id: $id) { id records { id value } } }',
      (d) => d?.finding?.records?.map((r: Json) => r.value), false, { id: s.conflictFindingId }),
    'AttributeConflict.values': root('quality', 'query Probe($id: ID!) { finding(id: $id) { id conflict { values } } }', (d) => d?.finding?.conflict?.values, false, { id: s.conflictFindingId }),
    'AttributeConflict.survivor': root('quality', 'query Probe($id: ID!) { finding(id: $id) { id conflict { survivor } } }', (d) => d?.finding?.conflict?.survivor, false, { id: s.conflictFindingId }),
    // Type-level rows: reached through the operations that return them.
    MatchCandidate: { gateway: root('mdm', reviewQueue, (d) => d?.reviewQueue).gateway },
    MatchCandidateConnection: { gateway: root('mdm', reviewQueue, (d) => d?.reviewQueue).gateway },
    MatchCandidateEdge: { gateway: root('mdm', reviewQueue, (d) => d?.reviewQueue?.edges).gateway },
    CandidateRecord: { gateway: root('mdm', reviewQueue, (d) => d?.reviewQueue?.nodes).gateway },
    AttributeValue: { gateway: root('mdm', reviewQueue, (d) => d?.reviewQueue?.nodes).gateway },
    AttributeContribution: { gateway: root('mdm', reviewQueue, (d) => d?.reviewQueue?.nodes).gateway },
    HistoryEvent: { gateway: root('mdm', history, (d) => d?.history).gateway },
    QuarantinedRecord: { gateway: root('mdm', quarantine, (d) => d?.quarantinedRecords).gateway },
    StewardResult: { gateway: root('mdm', merge, (d) => d?.mergeCustomers, true).gateway },
  };
}

export function protectedField(coordinate: string): ProtectedField {
  const field = PROTECTED_FIELDS.find((f) => f.coordinate === coordinate);
  if (!field) throw new Error(`${coordinate} is not in PROTECTED_FIELDS`);
  return field;
}

/** What a masked cell must show: the admin's clear value through the field's mask. */
export function masked(coordinate: string, clear: unknown): unknown {
  const mask = protectedField(coordinate).pii;
  if (!mask) throw new Error(`${coordinate} has no @pii mask`);
  return maskValue(mask, clear);
}
