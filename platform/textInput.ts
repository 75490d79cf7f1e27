import { GraphQLError } from 'graphql';

/**
 * Text a source can store and compare: PostgreSQL's text type cannot hold a
 * NUL character (it answers SQLSTATE 22021), and a lone UTF-16 surrogate has
 * no UTF-8 form at all. Such a value in an id, SKU or search term can never
 * match anything, so it is the caller's mistake (BAD_USER_INPUT), found before
 * any source is asked, never a source outage.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function textInputProblem(value: string): string | undefined {
  if (value.includes('\u0000')) return 'contains a NUL character (U+0000)';
  if (LONE_SURROGATE.test(value)) return 'is not well-formed Unicode (a lone surrogate)';
  return undefined;
}

export function badTextInput(argumentName: string, problem: string): GraphQLError {
  return new GraphQLError(`"${argumentName}" ${problem}; send printable text`, {
    extensions: { code: 'BAD_USER_INPUT', argumentName },
  });
}

/** Throws BAD_USER_INPUT when `value` is text no source can hold (see {@link textInputProblem}). */
export function assertTextInput(value: string | null | undefined, argumentName: string): void {
  if (typeof value !== 'string') return;
  const problem = textInputProblem(value);
  if (problem) throw badTextInput(argumentName, problem);
}

/**
 * SQLSTATE class 22 ("data exception": invalid text representation, a NUL
 * byte, a number out of range…) is raised by a value the caller sent, not by
 * a failing database: report it as BAD_USER_INPUT rather than UNAVAILABLE.
 */
export function isDataException(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code);
}
