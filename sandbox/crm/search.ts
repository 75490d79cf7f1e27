import { isSearchOperator, SEARCH_LIMITS, SEARCH_OPERATORS, type SearchFilter, type SearchSort } from '../../platform/hubspot/index.js';
import { validationError } from './errors.js';
import { OBJECT_TYPE_INFO, type ObjectType } from './objectTypes.js';
import type { SqlParams } from './sql.js';

/**
 * The stand-in's side of HubSpot CRM search (`POST /crm/v3/objects/{type}/search`):
 * validating the request body against the contract (platform/hubspot/search.ts:
 * operators, filter counts, page size, the 10,000-result window) and compiling
 * it into a parameterised WHERE / ORDER BY over crm.objects (aliased `o`).
 */
export { SEARCH_LIMITS, SEARCH_OPERATORS } from '../../platform/hubspot/index.js';

/** A validated search request: groups are OR-ed, the filters inside a group AND-ed. */
export interface SearchRequest {
  filterGroups: SearchFilter[][];
  sorts: SearchSort[];
  properties?: string[];
  query?: string;
  limit: number;
  /** HubSpot's search `after` is an offset into the result list. */
  offset: number;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function scalarString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  return undefined;
}

function parseFilter(raw: unknown, where: string): SearchFilter {
  if (!isRecord(raw)) throw validationError(`${where}: expected an object with propertyName and operator, got ${JSON.stringify(raw)}`);
  const { propertyName, operator } = raw;
  if (typeof propertyName !== 'string' || propertyName === '') {
    throw validationError(`${where}.propertyName: expected a property name, got ${JSON.stringify(propertyName)}`);
  }
  if (!isSearchOperator(operator)) {
    throw validationError(`${where}.operator: expected one of ${SEARCH_OPERATORS.join(', ')}, got ${JSON.stringify(operator)}`);
  }
  const op = operator;
  switch (op) {
    case 'HAS_PROPERTY':
    case 'NOT_HAS_PROPERTY':
      return { propertyName, operator: op };
    case 'IN':
    case 'NOT_IN': {
      const values = raw.values;
      const strings = Array.isArray(values) ? values.map(scalarString) : [];
      if (!Array.isArray(values) || values.length === 0 || strings.some((s) => s === undefined)) {
        throw validationError(`${where}.values: operator ${op} needs a non-empty array of strings or numbers, got ${JSON.stringify(values)}`);
      }
      return { propertyName, operator: op, values: strings as string[] };
    }
    case 'BETWEEN': {
      const value = scalarString(raw.value);
      const highValue = scalarString(raw.highValue);
      if (value === undefined || highValue === undefined) {
        throw validationError(`${where}: operator BETWEEN needs value (the low end) and highValue, got value ${JSON.stringify(raw.value)} and highValue ${JSON.stringify(raw.highValue)}`);
      }
      return { propertyName, operator: op, value, highValue };
    }
    default: {
      const value = scalarString(raw.value);
      if (value === undefined || (value.trim() === '' && (op === 'CONTAINS_TOKEN' || op === 'NOT_CONTAINS_TOKEN'))) {
        throw validationError(`${where}.value: operator ${op} needs a value, got ${JSON.stringify(raw.value)}`);
      }
      return { propertyName, operator: op, value };
    }
  }
}

function parseSort(raw: unknown, where: string): SearchSort {
  // HubSpot accepts both { propertyName, direction } and the short string form ("-createdate" = descending).
  if (typeof raw === 'string' && raw !== '' && raw !== '-') {
    return raw.startsWith('-') ? { propertyName: raw.slice(1), direction: 'DESCENDING' } : { propertyName: raw, direction: 'ASCENDING' };
  }
  if (isRecord(raw) && typeof raw.propertyName === 'string' && raw.propertyName !== '') {
    const direction = raw.direction ?? 'ASCENDING';
    if (direction !== 'ASCENDING' && direction !== 'DESCENDING') {
      throw validationError(`${where}.direction: expected ASCENDING or DESCENDING, got ${JSON.stringify(direction)}`);
    }
    return { propertyName: raw.propertyName, direction };
  }
  throw validationError(`${where}: expected { propertyName, direction } or a property name, got ${JSON.stringify(raw)}`);
}

/** Validates a search body, naming the offending field and what was expected. */
export function parseSearchRequest(body: unknown): SearchRequest {
  if (!isRecord(body)) throw validationError(`Invalid input JSON: expected a JSON object, got ${JSON.stringify(body)}`);

  const rawGroups = body.filterGroups ?? [];
  if (!Array.isArray(rawGroups)) throw validationError(`filterGroups: expected an array, got ${JSON.stringify(rawGroups)}`);
  if (rawGroups.length > SEARCH_LIMITS.maxFilterGroups) {
    throw validationError(`Too many filter groups (${rawGroups.length}). The maximum number of filter groups is ${SEARCH_LIMITS.maxFilterGroups}.`);
  }
  let total = 0;
  const filterGroups = rawGroups.map((group, g) => {
    const filters = isRecord(group) ? group.filters : undefined;
    if (!Array.isArray(filters) || filters.length === 0) {
      throw validationError(`filterGroups[${g}].filters: expected a non-empty array of filters, got ${JSON.stringify(filters)}`);
    }
    if (filters.length > SEARCH_LIMITS.maxFiltersPerGroup) {
      throw validationError(`Too many filters in filterGroups[${g}] (${filters.length}). The maximum number of filters per filter group is ${SEARCH_LIMITS.maxFiltersPerGroup}.`);
    }
    total += filters.length;
    return filters.map((filter, f) => parseFilter(filter, `filterGroups[${g}].filters[${f}]`));
  });
  if (total > SEARCH_LIMITS.maxFilters) {
    throw validationError(`Too many filters (${total}). The maximum number of filters across all filter groups is ${SEARCH_LIMITS.maxFilters}.`);
  }

  const rawSorts = body.sorts ?? [];
  if (!Array.isArray(rawSorts)) throw validationError(`sorts: expected an array, got ${JSON.stringify(rawSorts)}`);
  const sorts = rawSorts.map((sort, i) => parseSort(sort, `sorts[${i}]`));

  let properties: string[] | undefined;
  if (body.properties !== undefined) {
    if (!Array.isArray(body.properties) || body.properties.some((p) => typeof p !== 'string')) {
      throw validationError(`properties: expected an array of property names, got ${JSON.stringify(body.properties)}`);
    }
    properties = body.properties as string[];
  }

  let query: string | undefined;
  if (body.query !== undefined && body.query !== null) {
    if (typeof body.query !== 'string') throw validationError(`query: expected a string, got ${JSON.stringify(body.query)}`);
    query = body.query.trim() || undefined;
  }

  const rawLimit = body.limit ?? SEARCH_LIMITS.defaultLimit;
  const limit = typeof rawLimit === 'string' && /^\d+$/.test(rawLimit) ? Number(rawLimit) : rawLimit;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0 || limit > SEARCH_LIMITS.maxLimit) {
    throw validationError(`limit: expected an integer from 0 to ${SEARCH_LIMITS.maxLimit}, got ${JSON.stringify(rawLimit)}`);
  }

  const rawAfter = body.after ?? '0';
  const after = typeof rawAfter === 'number' ? String(rawAfter) : rawAfter;
  if (typeof after !== 'string' || !/^\d{1,9}$/.test(after)) {
    throw validationError(`after: expected the paging cursor from a previous answer (a non-negative integer), got ${JSON.stringify(rawAfter)}`);
  }
  const offset = Number(after);
  if (offset + limit > SEARCH_LIMITS.maxResults) {
    throw validationError(`Search results are limited to ${SEARCH_LIMITS.maxResults} items: after (${offset}) + limit (${limit}) goes past that. Narrow the filters instead of paging further.`);
  }

  return { filterGroups, sorts, properties, query, limit, offset };
}

// ---------------------------------------------------------------------------
// Compilation

/** A stored value read as a number: numeric strings as such, ISO dates as epoch milliseconds (how HubSpot compares dates). */
function numericOf(text: string): string {
  return `(CASE WHEN ${text} ~ '^\\s*-?[0-9]+(\\.[0-9]+)?\\s*$' THEN ${text}::numeric`
    + ` WHEN ${text} ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?)?$'`
    + ` THEN (extract(epoch FROM ${text}::timestamptz) * 1000)::numeric END)`;
}

const epochMs = (column: string) => `(extract(epoch FROM ${column}) * 1000)::numeric`;
const isoText = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The SQL expressions of one property: as text and as a number (NULL when not numeric). */
function propertyExpressions(type: ObjectType, name: string, params: SqlParams): { text: string; num: string } {
  if (name === 'hs_object_id') return { text: 'o.id::text', num: 'o.id::numeric' };
  if (name === 'createdate') return { text: isoText('o.created_at'), num: epochMs('o.created_at') };
  if (name === 'hs_lastmodifieddate' || name === OBJECT_TYPE_INFO[type].modifiedProperty) {
    return { text: isoText('o.updated_at'), num: epochMs('o.updated_at') };
  }
  const text = `(o.properties->>${params.add(name)})`;
  return { text, num: numericOf(text) };
}

/** A filter value read as a number: a numeric string, or an ISO date as epoch milliseconds. */
export function numericValue(value: string): string | undefined {
  const trimmed = value.trim();
  if (/^-?\d+(\.\d+)?$/.test(trimmed)) return trimmed;
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(trimmed)) {
    const ms = Date.parse(trimmed);
    if (Number.isFinite(ms)) return String(ms);
  }
  return undefined;
}

function escapeRegex(text: string): string {
  return text.replace(/[\\^$.|?+()[\]{}*]/g, '\\$&');
}

/**
 * CONTAINS_TOKEN as HubSpot documents it: the value must match a whole token
 * (word) of the property, case-insensitively, and `*` is a wildcard inside the
 * token (`*@hubspot.com` finds every hubspot.com address).
 */
export function tokenPattern(value: string): string {
  const token = value.trim().split('*').map(escapeRegex).join('\\S*');
  return `(^|[^[:alnum:]_])${token}($|[^[:alnum:]_])`;
}

function compileFilter(type: ObjectType, filter: SearchFilter, params: SqlParams): string {
  const { text, num } = propertyExpressions(type, filter.propertyName, params);
  const equals = (value: string) => {
    const n = numericValue(value);
    const byText = `lower(${text}) = ${params.add(value.toLowerCase())}`;
    return n === undefined ? `coalesce(${byText}, false)` : `coalesce(${byText} OR ${num} = ${params.add(n)}::numeric, false)`;
  };
  const compare = (op: string, value: string) => {
    const n = numericValue(value);
    return n === undefined ? `${text} COLLATE "C" ${op} ${params.add(value)}` : `${num} ${op} ${params.add(n)}::numeric`;
  };
  switch (filter.operator) {
    case 'EQ':
      return equals(filter.value);
    case 'NEQ':
      // HubSpot's NEQ (a must-not) also matches records that lack the property.
      return `NOT ${equals(filter.value)}`;
    case 'IN':
    case 'NOT_IN': {
      const numbers = filter.values.map(numericValue);
      const byText = `lower(${text}) = ANY(${params.add(filter.values.map((v) => v.toLowerCase()))}::text[])`;
      const inSet = numbers.every((n) => n !== undefined)
        ? `coalesce(${byText} OR ${num} = ANY(${params.add(numbers)}::numeric[]), false)`
        : `coalesce(${byText}, false)`;
      return filter.operator === 'IN' ? inSet : `NOT ${inSet}`;
    }
    case 'GT':
      return compare('>', filter.value);
    case 'GTE':
      return compare('>=', filter.value);
    case 'LT':
      return compare('<', filter.value);
    case 'LTE':
      return compare('<=', filter.value);
    case 'BETWEEN': {
      const low = numericValue(filter.value);
      const high = numericValue(filter.highValue);
      return low !== undefined && high !== undefined
        ? `${num} BETWEEN ${params.add(low)}::numeric AND ${params.add(high)}::numeric`
        : `${text} COLLATE "C" BETWEEN ${params.add(filter.value)} AND ${params.add(filter.highValue)}`;
    }
    case 'HAS_PROPERTY':
      return `coalesce(${text}, '') <> ''`;
    case 'NOT_HAS_PROPERTY':
      return `coalesce(${text}, '') = ''`;
    case 'CONTAINS_TOKEN':
      return `coalesce(${text} ~* ${params.add(tokenPattern(filter.value))}, false)`;
    case 'NOT_CONTAINS_TOKEN':
      return `NOT coalesce(${text} ~* ${params.add(tokenPattern(filter.value))}, false)`;
  }
}

/**
 * Compiles the filters, the free-text query and the sorts. The caller puts
 * the returned `where` after its own object_type / archived conditions.
 */
export function compileSearch(type: ObjectType, request: SearchRequest, params: SqlParams): { where: string; orderBy: string } {
  const conditions: string[] = [];
  if (request.filterGroups.length > 0) {
    const groups = request.filterGroups.map((group) => `(${group.map((f) => compileFilter(type, f, params)).join(' AND ')})`);
    conditions.push(`(${groups.join(' OR ')})`);
  }
  if (request.query) {
    // HubSpot's `query` searches the record's text properties; here: any stored property value containing it.
    const like = `%${request.query.replace(/[\\%_]/g, '\\$&')}%`;
    conditions.push(`EXISTS (SELECT 1 FROM jsonb_each_text(o.properties) AS p(key, value) WHERE p.value ILIKE ${params.add(like)})`);
  }
  const orderBy = request.sorts.map((sort) => {
    const { text, num } = propertyExpressions(type, sort.propertyName, params);
    const dir = sort.direction === 'DESCENDING' ? 'DESC' : 'ASC';
    // Numbers (and dates) order by value, other strings bytewise; records without the property go last.
    return `${num} ${dir} NULLS LAST, ${text} COLLATE "C" ${dir} NULLS LAST`;
  });
  orderBy.push('o.id ASC');
  return { where: conditions.length ? conditions.join(' AND ') : 'true', orderBy: orderBy.join(', ') };
}
