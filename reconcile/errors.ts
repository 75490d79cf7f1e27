import type { ErrorRegistry } from '../platform/errors/registry.js';

/**
 * The reconciliation's error registry (platform/errors shape): each code, the
 * status a client sees (200: the quality subgraph answers them as GraphQL
 * errors beside the data, with the code in `extensions.code`) and what it means.
 */
export const ReconErrorCodes = {
  RECON_FINDING_NOT_FOUND: { status: 200, description: 'no finding has this id' },
  RECON_RUN_NOT_FOUND: { status: 200, description: 'no reconciliation run has this id' },
  RECON_VERSION_CONFLICT: { status: 200, description: 'the finding changed since the caller read it (another user acted first): read it again and retry' },
  RECON_INVALID_TRANSITION: { status: 200, description: 'the finding is already in a state this action cannot leave (e.g. resolving a resolved finding)' },
  RECON_COMMENT_REQUIRED: { status: 200, description: 'acknowledging or resolving a finding needs a comment saying why' },
  RECON_COMMENT_TOO_LONG: { status: 200, description: 'the comment is longer than the configured limit' },
  RECON_INVALID_ARGUMENT: { status: 200, description: 'an argument is missing or malformed (a page size, a cursor, a filter value)' },
  RECON_JOB_RUNNING: { status: 200, description: 'a run of this job is already in progress (in this process or in another replica of the quality subgraph)' },
  RECON_SOURCE_UNAVAILABLE: { status: 200, description: 'a source (ERP database, CRM API, MDM store) could not be read; the run failed and changed no finding' },
  RECON_INVALID_CONFIG: { status: 500, description: 'a reconciliation setting is missing or malformed' },
} as const satisfies ErrorRegistry;

/** The registry under the name docs/errors.md's catalogue uses. */
export const RECON_ERRORS: ErrorRegistry = ReconErrorCodes;

export type ReconErrorCode = keyof typeof ReconErrorCodes;

export class ReconError extends Error {
  readonly status: number;
  constructor(readonly code: ReconErrorCode, message: string, readonly details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ReconError';
    this.status = ReconErrorCodes[code].status;
  }
}

export const isReconError = (error: unknown): error is ReconError => error instanceof ReconError;
