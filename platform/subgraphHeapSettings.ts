/**
 * The V8 heap settings a subgraph service's process is started with — the
 * erp, crm, mdm and quality subgraph services in docker-compose.yml and the
 * gateway benchmark's process, which hosts the subgraphs
 * (platform/subgraphHeapSettings.test.ts keeps them equal). `npm start` runs
 * every part in one process and gives it STACK_NODE_FLAGS
 * (gateway/heapSettings.ts) instead.
 *
 * Why (issue 14, bench/README.md, eighth and ninth passes): a subgraph's
 * garbage is its answers' rows — pg's data rows, the parsed values, the
 * answer objects — which live as long as their request and, under load,
 * across two scavenges, so they are promoted and die in the old generation.
 * After a full GC under such load V8 may set the next limit ~1.25× the live
 * heap and then collect every 3–4 s: up to 16 full GCs a minute, each a
 * 13–34 ms pause of every answer in flight. Letting the old generation double
 * before the next full GC kept it to 1–6 a minute in every minute measured
 * with it (3–16 with V8's own factor); in minutes alternated with V8's own,
 * Concord's warm customer-360 p99 behind it was 54.8–61.6 ms against
 * 55.5–89.7 — it bounds the full-GC storms, not the p99 of a typical minute.
 * The memory it costs did not show: the benchmark's process
 * (all three subgraphs, the CRM stand-in, PGlite) peaked at 908–912 MiB RSS
 * with it, 963–1016 without. Like the gateway's, a target, not a limit. The
 * quality subgraph gets it for the same reason; it was not measured alone.
 *
 * `--single-threaded-gc`: a subgraph service is sized to one core (each is
 * `cpus: 1` in docker-compose.yml and scales out with replicas; the gateway
 * benchmark pins the process that hosts them to one CPU). There V8's GC
 * helper threads cannot run beside the main thread: they take turns with it
 * (and, under a CPU quota, spend its budget), and a parallel scavenge can
 * wait for helpers queued behind other threads of that core (the reasoning;
 * the pause lengths themselves were not compared). With the work on the main
 * thread, in seven alternated pairs of the benchmark (warm customer 360, Concord, 2026-12-06,
 * bench/README.md sixteenth pass) the p99 behind the subgraphs went from
 * 36.9–41.5 ms to 30.4–35.7 and the p99.9 from 58.5–94.7 to 42.0–55.2, at
 * the same throughput; every pair moved the same way.
 */
export const SUBGRAPH_NODE_FLAGS: readonly string[] = ['--heap-growing-percent=100', '--single-threaded-gc'];
