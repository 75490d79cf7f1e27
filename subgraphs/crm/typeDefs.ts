import { parse, type DocumentNode } from 'graphql';

/**
 * The CRM subgraph's SDL (ADR 0001, "The federated graph"). The CRM never
 * owns identity: it extends the MDM's `Customer` (by master id) with the
 * contacts, deals and tickets of the HubSpot companies linked to it. The
 * company ids come from the MDM through `@requires`, carried by the gateway in
 * the representation; the CRM subgraph never calls the MDM.
 *
 * Lists are nullable so that a CRM failure nulls only them (with a
 * CRM_UNAVAILABLE, CRM_RATE_LIMITED or CRM_UNAUTHENTICATED error and its
 * path), not the whole customer.
 */
export const crmTypeDefsSource = /* GraphQL */ `
  extend schema
    @link(
      url: "https://specs.apollo.dev/federation/v2.5"
      import: ["@key", "@external", "@requires", "@requiresScopes", "@authenticated", "@composeDirective"]
    )
    @link(url: "https://specs.concord.dev/pii/v0.1", import: ["@pii"])
    @composeDirective(name: "@pii")

  "Masks the value for callers without pii:read instead of denying it (ADR 0003)."
  directive @pii(mask: PiiMask!) on FIELD_DEFINITION
  enum PiiMask { EMAIL PHONE NAME TAX_ID REDACT }

  """
  A golden customer (identity owned by the MDM). The CRM adds what HubSpot
  knows of the companies linked to it; several companies (true duplicates the
  MDM merged) are read as one.
  """
  type Customer @key(fields: "id") @requiresScopes(scopes: [["customers:read"]]) {
    id: ID!
    "The HubSpot company ids linked to this customer in the MDM's cross-reference."
    crmCompanyIds: [ID!]! @external
    "The contacts associated with the linked companies, by name."
    contacts: [Contact!] @requires(fields: "crmCompanyIds") @requiresScopes(scopes: [["customers:read"]])
    """
    The deals associated with the linked companies, latest close date first.
    \`open: true\` keeps deals not yet won or lost, \`open: false\` the closed
    ones; without it, all.
    """
    deals(open: Boolean): [Deal!] @requires(fields: "crmCompanyIds") @requiresScopes(scopes: [["sales:read"]])
    """
    The support tickets associated with the linked companies, newest first.
    \`open: true\` keeps tickets not in the Closed stage; without it, all.
    """
    tickets(open: Boolean): [Ticket!] @requires(fields: "crmCompanyIds") @requiresScopes(scopes: [["support:read"]])
  }

  "A person at a customer, from HubSpot contacts."
  type Contact {
    id: ID!
    "First and last name, joined; null when both are empty."
    name: String @requiresScopes(scopes: [["customers:read"]]) @pii(mask: NAME)
    firstName: String @requiresScopes(scopes: [["customers:read"]]) @pii(mask: NAME)
    lastName: String @requiresScopes(scopes: [["customers:read"]]) @pii(mask: NAME)
    email: String @requiresScopes(scopes: [["customers:read"]]) @pii(mask: EMAIL)
    phone: String @requiresScopes(scopes: [["customers:read"]]) @pii(mask: PHONE)
    jobTitle: String
  }

  "A sales opportunity, from HubSpot deals."
  type Deal {
    id: ID!
    name: String
    "The deal stage id (dealstage), e.g. appointmentscheduled, closedwon."
    stage: String
    pipeline: String
    amount: Float
    "ISO 8601 date-time (closedate)."
    closeDate: String
    "Won or lost (HubSpot's hs_is_closed; else the stage is closedwon or closedlost)."
    isClosed: Boolean!
    "The deal's line items."
    lineItems: [DealLineItem!]
  }

  "One product line of a deal, from HubSpot line items."
  type DealLineItem {
    id: ID!
    name: String
    quantity: Float
    "Unit price."
    price: Float
  }

  "A support ticket, from HubSpot tickets."
  type Ticket {
    id: ID!
    subject: String
    "HubSpot's hs_ticket_priority: LOW, MEDIUM, HIGH or URGENT."
    priority: String
    "The pipeline stage id (hs_pipeline_stage); 4 is Closed in the default pipeline."
    stage: String
    isClosed: Boolean!
    "ISO 8601 date-time the ticket was opened."
    createdAt: String
  }
`;

export const crmTypeDefs: DocumentNode = parse(crmTypeDefsSource);
