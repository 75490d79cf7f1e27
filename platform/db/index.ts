export { createPool, quoteIdent, type PoolOptions } from './pool.js';
export { migrate } from './migrate.js';
