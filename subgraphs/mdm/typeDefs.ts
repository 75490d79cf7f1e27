import { parse, type DocumentNode } from 'graphql';

/**
 * The MDM subgraph's SDL (ADR 0001, "The federated graph"): the golden
 * records own identity. `Customer` and `Product` are keyed by master id;
 * `Product` has a second key, `sku` (the ERP's default_code, which
 * survivorship prefers), so the ERP's order lines can point at products
 * without knowing master ids. The source ids a golden record links are what
 * the gateway carries to the ERP and CRM subgraphs (`@requires`).
 */
export const mdmTypeDefsSource = /* GraphQL */ `
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
    "A golden customer by master id; null (no error) when there is none or it was merged away."
    customer(id: ID!): Customer
    "Golden customers in master-id order. \`first\` is from 0 to 100."
    customers(first: Int = 20, after: String): CustomerConnection
    "A golden product by master id; null (no error) when there is none."
    product(id: ID!): Product
    "Golden products in master-id order. \`first\` is from 0 to 100."
    products(first: Int = 20, after: String): ProductConnection
    "A golden product by SKU; null (no error) when there is none."
    productBySku(sku: String!): Product

    """
    Golden customers by fuzzy name (trigram similarity, best first) and/or
    exact tax id or web domain (compared after standardisation, against every
    source record of the customer). Criteria combine with AND; at least one is
    required (BAD_USER_INPUT otherwise). \`first\` is from 0 to 100.
    """
    searchCustomers(name: String, taxId: String, domain: String, first: Int = 20, after: String): CustomerConnection!
      @requiresScopes(scopes: [["customers:read"]])
    """
    Golden products by fuzzy name and/or exact SKU or GTIN (standardised, any
    source record). Criteria combine with AND; at least one is required.
    """
    searchProducts(name: String, sku: String, gtin: String, first: Int = 20, after: String): ProductConnection!

    """
    The steward's review queue: pairs of source records the matcher scored
    between its review and merge thresholds, best score first.
    """
    reviewQueue(entityType: EntityType, first: Int = 20, after: String): MatchCandidateConnection!
      @requiresScopes(scopes: [["mdm:steward"]])
    """
    The append-only history of merges, unmerges, steward decisions and loads,
    newest first; of one golden record when \`masterId\` is given. \`before\`
    (an event id) pages back. \`first\` is from 0 to 100.
    """
    history(masterId: ID, first: Int = 20, before: ID): [HistoryEvent!]! @requiresScopes(scopes: [["mdm:steward"]])
    """
    Source records held back from matching at ingestion because they broke a
    validation rule (EMPTY_NAME, INVALID_TAX_ID, UNKNOWN_COUNTRY,
    MALFORMED_EMAIL), newest first; one entry per record and rule. An entry
    leaves the list by itself when the source corrects the record. \`before\`
    (an entry id) pages back. \`first\` is from 0 to 100.
    """
    quarantinedRecords(entityType: EntityType, first: Int = 20, before: ID): [QuarantinedRecord!]!
      @requiresScopes(scopes: [["mdm:steward"]])
  }

  """
  Data steward operations. Each is one transaction that writes one history
  event (with the state before and after, so it can be undone), acts as the
  calling user, and is idempotent under \`idempotencyKey\`: a retry with a key
  already used changes nothing and answers the first event with
  \`replayed: true\`. Errors carry NOT_FOUND, CONFLICT or BAD_USER_INPUT.
  """
  type Mutation {
    "Accepts a queued pair: their golden records are merged and stay merged in later batch runs."
    acceptMatchCandidate(id: ID!, reason: String, idempotencyKey: String): StewardResult!
      @requiresScopes(scopes: [["mdm:steward"]])
    "Rejects a queued pair: the two source records are never merged automatically again."
    rejectMatchCandidate(id: ID!, reason: String, idempotencyKey: String): StewardResult!
      @requiresScopes(scopes: [["mdm:steward"]])
    "Merges golden customers into the first one given (the others are deactivated); later batch runs keep the merge."
    mergeCustomers(ids: [ID!]!, reason: String, idempotencyKey: String): StewardResult!
      @requiresScopes(scopes: [["mdm:steward"]])
    "Merges golden products into the first one given."
    mergeProducts(ids: [ID!]!, reason: String, idempotencyKey: String): StewardResult!
      @requiresScopes(scopes: [["mdm:steward"]])
    """
    Takes one source record out of its golden record into a new golden record
    of its own; it is never merged back automatically with the records it left.
    """
    unmergeSourceRecord(entityType: EntityType!, system: SourceSystem!, sourceId: ID!, reason: String, idempotencyKey: String): StewardResult!
      @requiresScopes(scopes: [["mdm:steward"]])
    """
    Writes back the state before a steward event or an incremental match
    (update, join, split). Undoing an incremental match is remembered as a
    ruling: records it merged are not merged again automatically, records it
    split stay merged, and a record it brought in gets a golden record of its
    own. CONFLICT when the records it touched changed since (undo the later
    events first), it was undone already, or it was a batch run's event
    (unmerge instead).
    """
    undoHistoryEvent(eventId: ID!, reason: String, idempotencyKey: String): StewardResult!
      @requiresScopes(scopes: [["mdm:steward"]])
  }

  "The kinds of golden record the MDM keeps."
  enum EntityType {
    CUSTOMER
    PRODUCT
  }

  "The systems that contribute records to the MDM."
  enum SourceSystem {
    ERP
    CRM
  }

  "One source record linked to a golden record (the MDM's cross-reference)."
  type SourceRecord {
    system: SourceSystem!
    "The record's id in its system (res_partner id, HubSpot company id, …)."
    sourceId: ID!
    "The match probability (0–1, four decimals) that linked it; null for the record that founded the golden record."
    matchScore: Float
    "The match rule that linked it."
    rule: String
    "When it was linked, ISO 8601 UTC."
    linkedAt: String
  }

  type Address {
    street: String
    city: String
    postcode: String
    "ISO 3166-1 alpha-2 code."
    country: String
  }

  "A golden customer: one real company, whatever the number of source records for it."
  type Customer @key(fields: "id") @requiresScopes(scopes: [["customers:read"]]) {
    "The master id."
    id: ID!
    name: String
    "Masked without pii:read: a sole trader's tax id is personal data, and the MDM cannot tell sole traders apart (ADR 0003)."
    taxId: String @requiresScopes(scopes: [["customers:read"]]) @pii(mask: TAX_ID)
    primaryEmail: String @requiresScopes(scopes: [["customers:read"]]) @pii(mask: EMAIL)
    domain: String
    phone: String @requiresScopes(scopes: [["customers:read"]]) @pii(mask: PHONE)
    address: Address
    sources: [SourceRecord!]!
    "The ERP res_partner ids linked to this customer."
    erpPartnerIds: [ID!]!
    "The CRM company ids linked to this customer."
    crmCompanyIds: [ID!]!
  }

  "A golden product."
  type Product @key(fields: "id") @key(fields: "sku") {
    "The master id."
    id: ID!
    "The SKU (the ERP's default_code where the ERP has the product)."
    sku: String!
    "GTIN / EAN-13."
    gtin: String
    name: String
    manufacturer: String
    description: String
    sources: [SourceRecord!]! @requiresScopes(scopes: [["products:read"]])
    erpProductIds: [ID!]!
    crmProductIds: [ID!]!
  }

  type CustomerConnection {
    edges: [CustomerEdge!]!
    nodes: [Customer!]!
    pageInfo: PageInfo!
  }

  type CustomerEdge {
    cursor: String!
    node: Customer!
    "Name similarity (0–1) of a search by name; null otherwise."
    similarity: Float
  }

  type ProductConnection {
    edges: [ProductEdge!]!
    nodes: [Product!]!
    pageInfo: PageInfo!
  }

  type ProductEdge {
    cursor: String!
    node: Product!
    "Name similarity (0–1) of a search by name; null otherwise."
    similarity: Float
  }

  "A pair of source records the matcher could not decide alone."
  type MatchCandidate @requiresScopes(scopes: [["mdm:steward"]]) {
    id: ID!
    entityType: EntityType!
    left: CandidateRecord!
    right: CandidateRecord!
    "Match probability (0–1) from the match weight."
    score: Float!
    "Total match weight (log2 odds): the prior plus every contribution."
    weight: Float
    "Each attribute's share of the weight, as the matcher compared it."
    explanation: [AttributeContribution!]!
    status: CandidateStatus!
    "When it was queued, ISO 8601 UTC."
    createdAt: String!
  }

  enum CandidateStatus {
    PENDING
    ACCEPTED
    REJECTED
  }

  "One side of a match candidate: the source record as its system holds it."
  type CandidateRecord @requiresScopes(scopes: [["mdm:steward"]]) {
    system: SourceSystem!
    sourceId: ID!
    "The golden record it is linked to now."
    masterId: ID
    "The source attributes (mapped to the MDM's names), in name order; empty values left out."
    attributes: [AttributeValue!]!
  }

  type AttributeValue @requiresScopes(scopes: [["mdm:steward"]]) {
    name: String!
    value: String
  }

  "One attribute's share of a candidate's match weight."
  type AttributeContribution @requiresScopes(scopes: [["mdm:steward"]]) {
    attribute: String!
    "The comparison level reached, e.g. exact, jw>=0.92, null, else."
    level: String!
    "log2(m/u), term-frequency adjusted: positive for agreement, negative for disagreement."
    weight: Float!
    "The standardised values compared."
    left: String
    right: String
  }

  type MatchCandidateConnection @requiresScopes(scopes: [["mdm:steward"]]) {
    edges: [MatchCandidateEdge!]!
    nodes: [MatchCandidate!]!
    pageInfo: PageInfo!
  }

  type MatchCandidateEdge @requiresScopes(scopes: [["mdm:steward"]]) {
    cursor: String!
    node: MatchCandidate!
  }

  "A source record held back from matching by a validation rule."
  type QuarantinedRecord @requiresScopes(scopes: [["mdm:steward"]]) {
    id: ID!
    entityType: EntityType!
    system: SourceSystem!
    sourceId: ID!
    "The rule's stable code, e.g. INVALID_TAX_ID."
    rule: String!
    "What was wrong with which value."
    message: String!
    "The record as it arrived (its mapped attributes), as JSON."
    rawRecord: String!
    "When, ISO 8601 UTC."
    quarantinedAt: String!
  }

  "One append-only history event."
  type HistoryEvent @requiresScopes(scopes: [["mdm:steward"]]) {
    id: ID!
    "When, ISO 8601 UTC."
    at: String!
    "Who: the steward's subject, or the system process (loader, batch)."
    actor: String!
    "load, match, merge, unmerge, accept, reject, undo, update (incremental match), remove (a source record gone from its source), …"
    action: String!
    reason: String
    "The golden records it touched."
    masterIds: [ID!]!
    "The state before, as JSON (golden records, xref rows, steward decisions, candidates in scope)."
    before: String
    "The state after, as JSON."
    after: String
    idempotencyKey: String
  }

  "What a steward operation did, or did earlier under the same idempotency key."
  type StewardResult @requiresScopes(scopes: [["mdm:steward"]]) {
    event: HistoryEvent!
    "True when the idempotency key had been used already: nothing changed now."
    replayed: Boolean!
    "The golden records the operation left in place (e.g. the survivor of a merge)."
    masterIds: [ID!]!
  }

  "Relay cursor paging. Shareable: other subgraphs page the same way."
  type PageInfo @shareable {
    hasNextPage: Boolean!
    hasPreviousPage: Boolean!
    startCursor: String
    endCursor: String
  }
`;

export const mdmTypeDefs: DocumentNode = parse(mdmTypeDefsSource);
