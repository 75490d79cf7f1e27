/**
 * HubSpot CRM search (`POST /crm/v3/objects/{type}/search`): the operators,
 * the body's shape and the limits, as HubSpot documents them. The stand-in
 * enforces them when it answers; the client checks them before it sends, so a
 * caller's mistake becomes a precise error instead of a round trip.
 */

/**
 * HubSpot's documented limits: up to five filterGroups, six filters per group
 * and eighteen in total; pages of 10 by default and at most 200; and no paging
 * past the 10,000th result (after + limit).
 */
export const SEARCH_LIMITS = {
  maxFilterGroups: 5,
  maxFiltersPerGroup: 6,
  maxFilters: 18,
  defaultLimit: 10,
  maxLimit: 200,
  maxResults: 10_000,
} as const;

export const SEARCH_OPERATORS = [
  'EQ', 'NEQ', 'LT', 'LTE', 'GT', 'GTE', 'BETWEEN', 'IN', 'NOT_IN',
  'HAS_PROPERTY', 'NOT_HAS_PROPERTY', 'CONTAINS_TOKEN', 'NOT_CONTAINS_TOKEN',
] as const;
export type SearchOperator = (typeof SEARCH_OPERATORS)[number];

export const isSearchOperator = (value: unknown): value is SearchOperator =>
  typeof value === 'string' && (SEARCH_OPERATORS as readonly string[]).includes(value);

/** One filter; the operator decides which of value, highValue and values it carries. */
export type SearchFilter =
  | { propertyName: string; operator: 'EQ' | 'NEQ' | 'LT' | 'LTE' | 'GT' | 'GTE' | 'CONTAINS_TOKEN' | 'NOT_CONTAINS_TOKEN'; value: string }
  | { propertyName: string; operator: 'BETWEEN'; value: string; highValue: string }
  | { propertyName: string; operator: 'IN' | 'NOT_IN'; values: string[] }
  | { propertyName: string; operator: 'HAS_PROPERTY' | 'NOT_HAS_PROPERTY' };

export interface SearchSort {
  propertyName: string;
  direction: 'ASCENDING' | 'DESCENDING';
}
