/**
 * The V8 heap settings the gateway's process is started with — `npm start`,
 * `npm run gateway`, the gateway service in docker-compose.yml and the
 * benchmark's Concord processes (gateway/heapSettings.test.ts keeps them equal).
 *
 * Why (issue 14, bench/README.md): under large answers many requests hold
 * their parsed subgraph answers and result trees at once, and V8 lets a heap
 * that allocates fast grow to up to four times what survived the last full
 * GC. The gateway's peak RSS was then 1.75× the stock gateway's, while the heap
 * in use over the run had a median of 126 MiB against a 290 MiB peak heap
 * (garbage piling up between full GCs); idle, both gateways' processes are
 * the same size (~180 MiB). A fixed growing factor of 1.3 (what V8 itself uses
 * for small heaps) makes it collect before it grows far past its live data;
 * it is a target, not a limit, so a burst that needs more heap still gets it
 * (a hard `--max-old-space-size` would turn that burst into an out-of-memory
 * crash). Semi-spaces of 32 MiB (V8's default on this machine is 16): a
 * large answer is mostly short-lived garbage (parsed subgraph answers, the
 * merged tree, the JSON text), and with 8 MiB ones — the setting until
 * 2026-12-04 — the deep-list benchmark spent 32% of the gateway's busy CPU in
 * GC, 18% with 32 MiB; CPU per operation fell 5.0 → 4.1–4.25 ms and req/s
 * rose 134 → 147–154, for a peak RSS of 245 instead of 198 MiB (the stock
 * gateway's: 314–358 MiB in the same runs; bench/README.md, fifth pass).
 */
export const GATEWAY_NODE_FLAGS: readonly string[] = ['--heap-growing-percent=30', '--max-semi-space-size=32'];
