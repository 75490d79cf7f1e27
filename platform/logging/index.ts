export { createLogger, traceFields } from './logger.js';
