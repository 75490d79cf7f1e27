export { createPool, quoteIdent, type PoolOptions } from './pool.js';
export { migrate } from './migrate.js';
export { isDatabaseOutage } from './outage.js';
export { createDatabaseSource } from './databaseSource.js';
