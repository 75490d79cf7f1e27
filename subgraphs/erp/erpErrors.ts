import { sourceErrorRegistry } from '../../platform/index.js';

/** The ERP subgraph's source errors (erpDatabase.ts raises them), beside every subgraph's codes. */
export const ERP_ERRORS = sourceErrorRegistry('erp', 'The ERP database', ['UNAVAILABLE']);
