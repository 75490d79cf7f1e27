export { BREAKER_STATE_VALUE, ServiceMetrics, type BreakerStateName, type SourceCallOutcome } from './serviceMetrics.js';
