/**
 * Errors of the seed generator, each with a stable code:
 * - SEED_NOT_EMPTY: the target database already holds sandbox data and
 *   `reset` was not asked for (seeding twice would mix two datasets).
 * - SEED_INVALID_OPTIONS: an option is out of range; the message names it.
 */
export type SeedErrorCode = 'SEED_NOT_EMPTY' | 'SEED_INVALID_OPTIONS';

export class SeedError extends Error {
  constructor(
    readonly code: SeedErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SeedError';
  }
}
