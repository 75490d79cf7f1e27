import { isSearchOperator, SEARCH_LIMITS, SEARCH_OPERATORS, type SearchFilter, type SearchSort } from '../../platform/hubspot/index.js';

/**
 * Validation of a CRM search before it is sent
 * (`POST /crm/v3/objects/{type}/search`), against HubSpot's contract
 * (platform/hubspot/search.ts, the same the stand-in enforces). HubSpot
 * answers a bad search with a 400; checking here first turns a caller's
 * mistake into a BAD_USER_INPUT that says what was expected, instead of a CRM
 * round trip and an opaque upstream rejection.
 */
export interface CrmSearchInput {
  /** OR-ed groups of AND-ed filters. */
  filterGroups?: Array<{ filters: SearchFilter[] }>;
  sorts?: SearchSort[];
  /** HubSpot's free-text search over the type's default searchable properties. */
  query?: string;
  properties?: string[];
  /** @default 10, at most 200 */
  limit?: number;
  /** The cursor from a previous page's `nextAfter`. */
  after?: string;
}

/** A search the caller got wrong; `code` is what a GraphQL field returns for it. */
export class CrmInputError extends Error {
  readonly code = 'BAD_USER_INPUT';
  constructor(message: string) {
    super(message);
    this.name = 'CrmInputError';
  }
}

const PROPERTY_NAME = /^[A-Za-z0-9_]{1,100}$/;
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function propertyName(value: unknown, where: string): string {
  if (typeof value !== 'string' || !PROPERTY_NAME.test(value)) {
    throw new CrmInputError(`${where}: expected a CRM property name (letters, digits, underscores), got ${JSON.stringify(value)}`);
  }
  return value;
}

function text(value: unknown, where: string): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') throw new CrmInputError(`${where}: expected a string, got ${JSON.stringify(value)}`);
  return value;
}

function validateFilter(raw: unknown, where: string): SearchFilter {
  if (!isRecord(raw)) throw new CrmInputError(`${where}: expected an object with propertyName and operator, got ${JSON.stringify(raw)}`);
  const name = propertyName(raw.propertyName, `${where}.propertyName`);
  const operator = raw.operator;
  if (!isSearchOperator(operator)) {
    throw new CrmInputError(`${where}.operator: expected one of ${SEARCH_OPERATORS.join(', ')}, got ${JSON.stringify(operator)}`);
  }
  const op = operator;
  switch (op) {
    case 'HAS_PROPERTY':
    case 'NOT_HAS_PROPERTY':
      return { propertyName: name, operator: op };
    case 'IN':
    case 'NOT_IN': {
      if (!Array.isArray(raw.values) || raw.values.length === 0) {
        throw new CrmInputError(`${where}.values: operator ${op} needs a non-empty list, got ${JSON.stringify(raw.values)}`);
      }
      return { propertyName: name, operator: op, values: raw.values.map((v, i) => text(v, `${where}.values[${i}]`)) };
    }
    case 'BETWEEN':
      return { propertyName: name, operator: op, value: text(raw.value, `${where}.value`), highValue: text(raw.highValue, `${where}.highValue`) };
    default:
      return { propertyName: name, operator: op, value: text(raw.value, `${where}.value`) };
  }
}

/** Checks a search against HubSpot's contract and returns the body to send. */
export function validateCrmSearchInput(input: unknown): Required<Pick<CrmSearchInput, 'filterGroups' | 'limit'>> & CrmSearchInput {
  if (!isRecord(input)) throw new CrmInputError(`search: expected an object, got ${JSON.stringify(input)}`);
  const rawGroups = input.filterGroups ?? [];
  if (!Array.isArray(rawGroups)) throw new CrmInputError(`filterGroups: expected a list, got ${JSON.stringify(rawGroups)}`);
  if (rawGroups.length > SEARCH_LIMITS.maxFilterGroups) {
    throw new CrmInputError(`filterGroups: at most ${SEARCH_LIMITS.maxFilterGroups} groups, got ${rawGroups.length}`);
  }
  let total = 0;
  const filterGroups = rawGroups.map((group, g) => {
    if (!isRecord(group) || !Array.isArray(group.filters)) {
      throw new CrmInputError(`filterGroups[${g}]: expected { filters: [...] }, got ${JSON.stringify(group)}`);
    }
    if (group.filters.length > SEARCH_LIMITS.maxFiltersPerGroup) {
      throw new CrmInputError(`filterGroups[${g}].filters: at most ${SEARCH_LIMITS.maxFiltersPerGroup} filters per group, got ${group.filters.length}`);
    }
    total += group.filters.length;
    return { filters: group.filters.map((f, i) => validateFilter(f, `filterGroups[${g}].filters[${i}]`)) };
  });
  if (total > SEARCH_LIMITS.maxFilters) {
    throw new CrmInputError(`filterGroups: at most ${SEARCH_LIMITS.maxFilters} filters in all, got ${total}`);
  }
  const limit = input.limit ?? SEARCH_LIMITS.defaultLimit;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > SEARCH_LIMITS.maxLimit) {
    throw new CrmInputError(`limit: expected an integer from 1 to ${SEARCH_LIMITS.maxLimit}, got ${JSON.stringify(limit)}`);
  }
  const body: ReturnType<typeof validateCrmSearchInput> = { filterGroups, limit };
  if (input.sorts !== undefined) {
    if (!Array.isArray(input.sorts)) throw new CrmInputError(`sorts: expected a list, got ${JSON.stringify(input.sorts)}`);
    body.sorts = input.sorts.map((sort, i) => {
      if (!isRecord(sort) || (sort.direction !== 'ASCENDING' && sort.direction !== 'DESCENDING')) {
        throw new CrmInputError(`sorts[${i}]: expected { propertyName, direction: ASCENDING | DESCENDING }, got ${JSON.stringify(sort)}`);
      }
      return { propertyName: propertyName(sort.propertyName, `sorts[${i}].propertyName`), direction: sort.direction };
    });
  }
  if (input.query !== undefined) body.query = text(input.query, 'query');
  if (input.properties !== undefined) {
    if (!Array.isArray(input.properties)) throw new CrmInputError(`properties: expected a list, got ${JSON.stringify(input.properties)}`);
    body.properties = input.properties.map((p, i) => propertyName(p, `properties[${i}]`));
  }
  if (input.after !== undefined) {
    const after = text(input.after, 'after');
    if (!/^\d+$/.test(after)) throw new CrmInputError(`after: expected the cursor of a previous page (digits), got ${JSON.stringify(after)}`);
    if (Number(after) + limit > SEARCH_LIMITS.maxResults) {
      throw new CrmInputError(`after: CRM search results stop at ${SEARCH_LIMITS.maxResults}; after (${after}) + limit (${limit}) goes past that, narrow the filters instead`);
    }
    body.after = after;
  }
  return body;
}
