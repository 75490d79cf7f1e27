import type { ErrorRegistry } from '../../platform/errors/registry.js';

/**
 * Errors of the seed generator, each with a stable code. The status is what
 * an HTTP front would answer; the CLI exits 1 with the code.
 */
export const SEED_ERRORS = {
  SEED_NOT_EMPTY: { status: 409, description: 'The target database already holds sandbox data and reset was not asked for (seeding twice would mix two datasets).' },
  SEED_INVALID_OPTIONS: { status: 400, description: 'A seed option is out of range; the message names it.' },
} as const satisfies ErrorRegistry;

export type SeedErrorCode = keyof typeof SEED_ERRORS;

export class SeedError extends Error {
  constructor(
    readonly code: SeedErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SeedError';
  }
}
