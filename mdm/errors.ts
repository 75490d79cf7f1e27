/**
 * The MDM's error registry: every error the engine or the store raises has a
 * stable code that the MDM subgraph can copy into `extensions.code`.
 */
export const MdmErrorCodes = {
  MDM_UNKNOWN_ENTITY_TYPE: 'no engine configuration for this entity type',
  MDM_NOT_FOUND: 'the golden record, source record, candidate or history event does not exist',
  MDM_INVALID_ARGUMENT: 'an argument is missing or malformed',
  MDM_CONFLICT: 'the change conflicts with the current state (e.g. already decided, or undone)',
  MDM_SOURCE_UNAVAILABLE: 'a source system (ERP database or CRM API) could not be read',
  MDM_INPUT_INVALID: 'an input file (FEBRL or CSV) could not be read',
  MDM_IDEMPOTENCY_KEY_REUSED: 'the idempotency key was first used with a different request; use a new key for a new request',
} as const;

export type MdmErrorCode = keyof typeof MdmErrorCodes;

export class MdmError extends Error {
  constructor(readonly code: MdmErrorCode, message: string, readonly details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'MdmError';
  }
}
