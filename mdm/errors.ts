import type { ErrorRegistry } from '../platform/errors/registry.js';

/**
 * The MDM's error registry: every error the engine or the store raises has a
 * stable code that the MDM subgraph can copy into `extensions.code`.
 */
export const MDM_ERRORS = {
  MDM_UNKNOWN_ENTITY_TYPE: { status: 200, description: 'No engine configuration for this entity type.' },
  MDM_NOT_FOUND: { status: 200, description: 'The golden record, source record, candidate or history event does not exist.' },
  MDM_INVALID_ARGUMENT: { status: 200, description: 'An argument is missing or malformed.' },
  MDM_CONFLICT: { status: 200, description: 'The change conflicts with the current state (e.g. already decided, or undone).' },
  MDM_SOURCE_UNAVAILABLE: { status: 200, description: 'A source system (ERP database or CRM API) could not be read.' },
  MDM_INPUT_INVALID: { status: 200, description: 'An input file (FEBRL or CSV) could not be read.' },
  MDM_IDEMPOTENCY_KEY_REUSED: { status: 200, description: 'The idempotency key was first used with a different request; use a new key for a new request.' },
} as const satisfies ErrorRegistry;

export type MdmErrorCode = keyof typeof MDM_ERRORS;

export class MdmError extends Error {
  constructor(readonly code: MdmErrorCode, message: string, readonly details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'MdmError';
  }
}
