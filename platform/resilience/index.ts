export { createSourceGuard, SourceRefusedError, type SourceGuard, type SourceGuardLogger, type SourceGuardOptions } from './sourceGuard.js';
export {
  DEFAULT_DATABASE_TIMEOUTS, DEFAULT_SERVING_LIMITS, DEFAULT_SOURCE_RESILIENCE, readDatabaseTimeouts, readServingLimits, readSourceResilience,
  type DatabaseTimeoutConfig, type ServingLimitsConfig, type SourceResilienceConfig,
} from './resilienceConfig.js';
