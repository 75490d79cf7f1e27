/**
 * The V8 heap settings of a process that hosts the gateway: `npm start` (the
 * whole system in one process: STACK_NODE_FLAGS) and the gateway's own
 * process — `npm run gateway`, the gateway service in docker-compose.yml and
 * the benchmark's Concord processes: GATEWAY_NODE_FLAGS
 * (gateway/heapSettings.test.ts keeps each launcher on its own).
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
export const STACK_NODE_FLAGS: readonly string[] = ['--heap-growing-percent=30', '--max-semi-space-size=32'];

/**
 * The gateway's own process adds `--single-threaded-gc`: a gateway replica is
 * sized to one core (`cpus: 1` in docker-compose.yml, scaled out with
 * `--scale gateway=N`; the benchmark pins it to one CPU). There V8's GC
 * helper threads cannot run beside the main thread, only take turns with it
 * (under a CPU quota, out of its budget), and a parallel scavenge can wait
 * for them. In three alternated pairs of the benchmark (2026-12-06, bench/README.md
 * sixteenth pass, subgraphs as shipped) the warm customer 360's p99 went from
 * 47.0–47.7 to 38.6–44.0 ms and the deep list's from 123.7–132.6 to
 * 117.1–129.1 ms, at the same throughput. `npm start` keeps V8's helpers: that
 * one process runs every part and the embedded database's thread on however
 * many cores the machine has (not measured with the setting).
 */
export const GATEWAY_NODE_FLAGS: readonly string[] = [...STACK_NODE_FLAGS, '--single-threaded-gc'];
