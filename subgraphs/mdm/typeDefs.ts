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
      import: ["@key", "@shareable", "@requiresScopes"]
    )

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
    "The match score that linked it; null for the record that founded the golden record."
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
    taxId: String
    primaryEmail: String
    domain: String
    phone: String
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
    sources: [SourceRecord!]!
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
  }

  type ProductConnection {
    edges: [ProductEdge!]!
    nodes: [Product!]!
    pageInfo: PageInfo!
  }

  type ProductEdge {
    cursor: String!
    node: Product!
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
