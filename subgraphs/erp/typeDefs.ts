import { parse, type DocumentNode } from 'graphql';

/**
 * The ERP subgraph's SDL (ADR 0001, "The federated graph"). The ERP never
 * owns identity: it extends the MDM's `Customer` (by master id) with what the
 * ERP knows of its partners, and the MDM's `Product` (by its `sku` key, the
 * ERP's `default_code`) with stock and list price. The partner ids come from
 * the MDM through `@requires`, carried by the gateway in the representation.
 *
 * List fields of `Customer` are nullable so that an ERP failure nulls only
 * them (with an ERP_UNAVAILABLE error and its path), not the whole customer.
 */
export const erpTypeDefsSource = /* GraphQL */ `
  extend schema
    @link(
      url: "https://specs.apollo.dev/federation/v2.5"
      import: ["@key", "@external", "@requires", "@shareable", "@authenticated", "@requiresScopes"]
    )

  """
  A golden customer (identity owned by the MDM). The ERP adds the orders,
  invoices and credit of the ERP partners linked to it; several partners
  (true duplicates the MDM merged) are read as one.
  """
  type Customer @key(fields: "id") @requiresScopes(scopes: [["customers:read"]]) {
    id: ID!
    "The res_partner ids linked to this customer in the MDM's cross-reference."
    erpPartnerIds: [ID!]! @external
    """
    The latest sale orders (quotations included) of the linked partners and
    their contacts, newest first. \`last\` is from 0 to 100.
    """
    orders(last: Int = 10): [SalesOrder!] @requires(fields: "erpPartnerIds") @requiresScopes(scopes: [["sales:read"], ["finance:read"]])
    "Posted customer invoices (out_invoice), newest first."
    invoices: [Invoice!] @requires(fields: "erpPartnerIds") @requiresScopes(scopes: [["finance:read"]])
    "Posted customer invoices with an amount due past their due date."
    overdueInvoices: [Invoice!] @requires(fields: "erpPartnerIds") @requiresScopes(scopes: [["finance:read"]])
    "Sum of the amounts due (amount_residual) of posted customer invoices; null without ERP partners."
    openBalance: Float @requires(fields: "erpPartnerIds") @requiresScopes(scopes: [["finance:read"]])
    """
    res_partner.credit_limit. With several merged partners, the largest of
    their limits (duplicates usually copy one limit; a sum would double it).
    Null when no partner has a limit.
    """
    creditLimit: Float @requires(fields: "erpPartnerIds") @requiresScopes(scopes: [["finance:read"]])
  }

  "A golden product, keyed here by its SKU (the ERP's product_product.default_code)."
  type Product @key(fields: "sku") {
    sku: String!
    "Quantities over the internal stock locations; null when the ERP has no product with this SKU."
    stock: Stock @requiresScopes(scopes: [["products:read"]])
    "product_template.list_price."
    listPrice: Float
  }

  "Stock of one product summed over the ERP's internal locations (stock_quant)."
  type Stock {
    onHand: Float!
    reserved: Float!
    "onHand - reserved."
    available: Float!
  }

  "An ERP sale order (sale_order)."
  type SalesOrder {
    id: ID!
    "The order reference, e.g. S00042."
    number: String!
    "date_order, ISO 8601 in UTC."
    date: String!
    "draft | sent | sale | cancel"
    state: String!
    total: Float!
    "ISO 4217 code of the order's currency."
    currency: String
    lines: [SalesOrderLine!]!
  }

  "A line of a sale order (sale_order_line)."
  type SalesOrderLine {
    id: ID!
    description: String!
    quantity: Float!
    unitPrice: Float!
    subtotal: Float!
    "The product, by SKU; null for note lines and products without a SKU."
    product: Product
  }

  "A posted customer invoice (account_move with move_type out_invoice)."
  type Invoice {
    id: ID!
    number: String!
    "invoice_date (YYYY-MM-DD)."
    date: String
    "invoice_date_due (YYYY-MM-DD)."
    dueDate: String
    total: Float!
    "amount_residual: what is still to be paid."
    amountDue: Float!
    "not_paid | in_payment | paid | partial | reversed"
    paymentState: String!
    currency: String
    "An amount is due and the due date has passed (before today in the database's time zone)."
    overdue: Boolean!
  }
`;

export const erpTypeDefs: DocumentNode = parse(erpTypeDefsSource);
