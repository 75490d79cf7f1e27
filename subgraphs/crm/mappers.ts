import type { CrmObject } from './hubspotClient.js';

/**
 * HubSpot records → the CRM subgraph's GraphQL shapes. HubSpot sends every
 * property as a string (or null); numbers and booleans are read here, and an
 * empty string counts as "not set", as HubSpot's UI shows it.
 */
export interface Contact {
  id: string;
  name: string | null;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  jobTitle: string | null;
}

export interface Deal {
  id: string;
  name: string | null;
  stage: string | null;
  pipeline: string | null;
  amount: number | null;
  closeDate: string | null;
  isClosed: boolean;
}

export interface DealLineItem {
  id: string;
  name: string | null;
  quantity: number | null;
  price: number | null;
}

export interface Ticket {
  id: string;
  subject: string | null;
  priority: string | null;
  stage: string | null;
  isClosed: boolean;
  createdAt: string | null;
}

/** HubSpot's built-in sales pipeline's closing stages, for deals without hs_is_closed. */
const CLOSED_DEAL_STAGES: ReadonlySet<string> = new Set(['closedwon', 'closedlost']);

/**
 * The closed stage of HubSpot's default support pipeline ("Closed" is stage
 * id 4: 1 New, 2 Waiting on contact, 3 Waiting on us, 4 Closed).
 */
export const CLOSED_TICKET_STAGE = '4';

function prop(object: CrmObject, name: string): string | null {
  const value = object.properties?.[name];
  return value === undefined || value === null || value === '' ? null : value;
}

function numberProp(object: CrmObject, name: string): number | null {
  const value = prop(object, name);
  if (value === null) return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
}

export function toContact(object: CrmObject): Contact {
  const firstName = prop(object, 'firstname');
  const lastName = prop(object, 'lastname');
  const name = [firstName, lastName].filter((part) => part !== null).join(' ');
  return {
    id: object.id,
    name: name === '' ? null : name,
    firstName,
    lastName,
    email: prop(object, 'email'),
    phone: prop(object, 'phone'),
    jobTitle: prop(object, 'jobtitle'),
  };
}

/**
 * A deal is closed when HubSpot says so (hs_is_closed, computed by HubSpot
 * from the stage's probability in any pipeline); without that property, when
 * its stage is one of the default pipeline's closing stages.
 */
export function toDeal(object: CrmObject): Deal {
  const stage = prop(object, 'dealstage');
  const flag = prop(object, 'hs_is_closed');
  return {
    id: object.id,
    name: prop(object, 'dealname'),
    stage,
    pipeline: prop(object, 'pipeline'),
    amount: numberProp(object, 'amount'),
    closeDate: prop(object, 'closedate'),
    isClosed: flag !== null ? flag === 'true' : stage !== null && CLOSED_DEAL_STAGES.has(stage),
  };
}

export function toDealLineItem(object: CrmObject): DealLineItem {
  return {
    id: object.id,
    name: prop(object, 'name'),
    quantity: numberProp(object, 'quantity'),
    price: numberProp(object, 'price'),
  };
}

export function toTicket(object: CrmObject): Ticket {
  const stage = prop(object, 'hs_pipeline_stage');
  return {
    id: object.id,
    subject: prop(object, 'subject'),
    priority: prop(object, 'hs_ticket_priority'),
    stage,
    isClosed: stage === CLOSED_TICKET_STAGE,
    createdAt: prop(object, 'createdate') ?? object.createdAt ?? null,
  };
}
