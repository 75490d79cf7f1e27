/**
 * What a subgraph asked of its source: one event per round trip (an SQL
 * statement, a CRM HTTP call, an MDM lookup). Tests count these to prove that
 * round trips stay one per entity type per plan level, whatever the list sizes.
 */
export interface SourceRequestEvent {
  /** erp | crm | mdm */
  source: string;
  /** What was asked, e.g. `orders.byPartner`, `POST /crm/v3/objects/companies/batch/read`. */
  operation: string;
  /** How many keys the round trip carried. */
  size: number;
}

export type SourceRequestListener = (event: SourceRequestEvent) => void;
