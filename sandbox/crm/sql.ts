/**
 * Collects the values of a parameterised statement and hands out their
 * placeholders, so SQL text is assembled from fixed fragments and `$n` only —
 * never from request data.
 */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}
