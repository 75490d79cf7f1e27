import { GATEWAY_ERRORS } from '../../gateway/errors.js';
import { LIMIT_ERRORS } from '../../gateway/limits/limitErrors.js';
import { MDM_ERRORS } from '../../mdm/errors.js';
import { AUTH_ERRORS } from '../../platform/auth/errors.js';
import type { ErrorRegistry } from '../../platform/errors/registry.js';
import { HUBSPOT_ERRORS } from '../../platform/hubspot/errors.js';
import { SUBGRAPH_ERRORS } from '../../platform/subgraphErrors.js';
import { SEED_ERRORS } from '../../sandbox/seed/errors.js';
import { REGISTRY_ERRORS } from '../../schema/registry/errors.js';
import { CRM_ERRORS } from '../../subgraphs/crm/fieldErrors.js';
import { ERP_ERRORS } from '../../subgraphs/erp/erpErrors.js';
import { MDM_GRAPH_ERRORS } from '../../subgraphs/mdm/mdmErrors.js';
import { RECON_ERRORS } from '../../reconcile/errors.js';

/** One part's registry, as docs/errors.md shows it. */
export interface ErrorCatalogueSection {
  title: string;
  /** Where the registry lives, for whoever adds a code. */
  source: string;
  /** Where a client finds the code, and anything else it should know. */
  about: string;
  registry: ErrorRegistry;
}

/**
 * Every error registry in Concord, in the order a request meets them. Adding
 * a part with errors of its own means adding its registry here; the docs test
 * then asks for the page to be regenerated.
 */
export const ERROR_CATALOGUE: readonly ErrorCatalogueSection[] = [
  {
    title: 'Gateway',
    source: 'gateway/errors.ts',
    about: "`errors[].extensions.code` of the gateway's answers. Errors a subgraph raised keep the subgraph's code and gain `extensions.serviceName`.",
    registry: GATEWAY_ERRORS,
  },
  {
    title: 'Gateway limits',
    source: 'gateway/limits/limitErrors.ts',
    about: 'Operations refused before execution; `extensions.limit` and `extensions.actual` say by how much.',
    registry: LIMIT_ERRORS,
  },
  {
    title: 'Authentication (gateway and subgraphs)',
    source: 'platform/auth/errors.ts',
    about: 'The reason of an `UNAUTHENTICATED` answer, in `extensions.reason`.',
    registry: AUTH_ERRORS,
  },
  {
    title: 'Every subgraph',
    source: 'platform/subgraphErrors.ts',
    about: 'Codes any subgraph answers with, seen through the gateway or when a subgraph is called directly.',
    registry: SUBGRAPH_ERRORS,
  },
  {
    title: 'ERP subgraph',
    source: 'subgraphs/erp/erpErrors.ts',
    about: 'Source failures null only the fields the ERP serves; `extensions.source` is `erp`.',
    registry: ERP_ERRORS,
  },
  {
    title: 'CRM subgraph',
    source: 'subgraphs/crm/fieldErrors.ts',
    about: 'Source failures null only the fields the CRM serves; `extensions.source` is `crm`.',
    registry: CRM_ERRORS,
  },
  {
    title: 'MDM subgraph',
    source: 'subgraphs/mdm/mdmErrors.ts',
    about: "The MDM graph's codes; the engine's own code travels beside them in `extensions.mdmCode`.",
    registry: MDM_GRAPH_ERRORS,
  },
  {
    title: 'MDM engine',
    source: 'mdm/errors.ts',
    about: '`extensions.mdmCode` in the MDM subgraph\'s errors, and the code `npx concord mdm …` prints. The status is the one of the MDM graph code it maps to.',
    registry: MDM_ERRORS,
  },
  {
    title: 'Reconciliation (quality subgraph and engine)',
    source: 'reconcile/errors.ts',
    about: '`extensions.code` of the quality subgraph\'s errors (findings, acknowledge/resolve, runs); `RECON_INVALID_CONFIG` stops a start.',
    registry: RECON_ERRORS,
  },
  {
    title: 'Schema registry',
    source: 'schema/registry/errors.ts',
    about: 'HTTP error bodies `{ error: { code, message } }` of the registry, and what `npx concord schema …` prints.',
    registry: REGISTRY_ERRORS,
  },
  {
    title: 'CRM stand-in (HubSpot API)',
    source: 'platform/hubspot/errors.ts',
    about: "`category` of HubSpot's error body, as the stand-in answers (and HubSpot itself does).",
    registry: HUBSPOT_ERRORS,
  },
  {
    title: 'Seed generator',
    source: 'sandbox/seed/errors.ts',
    about: '`npx concord seed` and `npm start` stop with these; the status is what an HTTP front would answer.',
    registry: SEED_ERRORS,
  },
];
