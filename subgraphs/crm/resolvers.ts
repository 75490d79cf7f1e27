import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { toCrmFieldError, type CrmLogger } from './fieldErrors.js';
import type { CrmObject, CrmObjectType } from './hubspotClient.js';
import { loadAssociatedObjects, type CrmLoaders } from './loaders.js';
import { toContact, toDeal, toDealLineItem, toTicket, type Contact, type Deal, type Ticket } from './mappers.js';

export interface CrmContext {
  loaders: CrmLoaders;
}

/** A Customer representation as the gateway sends it: the key plus the @requires field. */
interface CustomerRepresentation {
  id: string;
  crmCompanyIds?: readonly string[] | null;
}

interface OpenArgs {
  open?: boolean | null;
}

const compareText = (a: string | null, b: string | null): number =>
  a === b ? 0 : a === null ? 1 : b === null ? -1 : a.localeCompare(b);

const byIdDescending = (a: { id: string }, b: { id: string }): number => {
  const left = BigInt(a.id);
  const right = BigInt(b.id);
  return left === right ? 0 : left < right ? 1 : -1;
};

/** Newest first by an ISO date, undated last, ties by id (newest record first). */
const byNewest =
  <T extends { id: string }>(dateOf: (row: T) => string | null) =>
  (a: T, b: T): number => {
    const left = dateOf(a);
    const right = dateOf(b);
    if (left !== right) return left === null ? 1 : right === null ? -1 : left < right ? 1 : -1;
    return byIdDescending(a, b);
  };

const byName = (a: Contact, b: Contact): number =>
  compareText(a.lastName, b.lastName) || compareText(a.firstName, b.firstName) || -byIdDescending(a, b);

/** `open: true` keeps open records, `open: false` closed ones, no argument all. */
function filterOpen<T extends { isClosed: boolean }>(rows: T[], open: boolean | null | undefined): T[] {
  if (open === null || open === undefined) return rows;
  return rows.filter((row) => row.isClosed !== open);
}

/**
 * The CRM subgraph's resolvers. Every read goes through the request's loaders,
 * so N customers cost one association batch and one record batch (per 100
 * records) per type, not N of each; a failed CRM call becomes a CRM_* error on
 * the field that needed it, and the rest of the answer still comes.
 */
export function createCrmResolvers(deps: { logger?: CrmLogger } = {}): GraphQLResolverMap<CrmContext> {
  /** The records of `toType` linked to the customer's companies, or the field's CRM error. */
  async function companyRecords(customer: CustomerRepresentation, ctx: CrmContext, toType: CrmObjectType): Promise<CrmObject[]> {
    try {
      return await loadAssociatedObjects(ctx.loaders, 'companies', customer.crmCompanyIds ?? [], toType);
    } catch (error) {
      throw toCrmFieldError(error, deps.logger);
    }
  }

  return {
    Customer: {
      async contacts(customer: CustomerRepresentation, _args: unknown, ctx: CrmContext): Promise<Contact[]> {
        return (await companyRecords(customer, ctx, 'contacts')).map(toContact).sort(byName);
      },
      async deals(customer: CustomerRepresentation, args: OpenArgs, ctx: CrmContext): Promise<Deal[]> {
        const deals = (await companyRecords(customer, ctx, 'deals')).map(toDeal);
        return filterOpen(deals, args.open).sort(byNewest((deal) => deal.closeDate));
      },
      async tickets(customer: CustomerRepresentation, args: OpenArgs, ctx: CrmContext): Promise<Ticket[]> {
        const tickets = (await companyRecords(customer, ctx, 'tickets')).map(toTicket);
        return filterOpen(tickets, args.open).sort(byNewest((ticket) => ticket.createdAt));
      },
    },
    Deal: {
      async lineItems(deal: Deal, _args: unknown, ctx: CrmContext) {
        try {
          const items = await loadAssociatedObjects(ctx.loaders, 'deals', [deal.id], 'line_items');
          return items.map(toDealLineItem).sort((a, b) => -byIdDescending(a, b));
        } catch (error) {
          throw toCrmFieldError(error, deps.logger);
        }
      },
    },
  } as GraphQLResolverMap<CrmContext>;
}
