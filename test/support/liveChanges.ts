/** What the live-change scenarios (embedded PGlite and server + JetStream) ask the gateway, and how they wait for it. */

export const searchCustomersQuery = /* GraphQL */ `query($name: String!) { searchCustomers(name: $name, first: 5) { nodes { id name sources { system sourceId } } } }`;
export const customerByIdQuery = /* GraphQL */ `query($id: ID!) { customer(id: $id) { id name sources { system sourceId } } }`;

/** Polls until `check` returns a value, or fails after `ms`; returns the value and how long it took. */
export async function within<T>(ms: number, check: () => Promise<T | undefined>): Promise<{ value: T; elapsedMs: number }> {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value !== undefined) return { value, elapsedMs: Date.now() - started };
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
