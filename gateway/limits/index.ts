export { LIMIT_ERRORS, limitError, type LimitErrorCode } from './limitErrors.js';
export { DEFAULT_OPERATION_LIMITS, checkOperationLimits, type LimitCheck, type OperationLimits, type OperationMeasure } from './operationLimits.js';
export { DEFAULT_HTTP_LIMITS, RequestLimitError, checkBatch, readLimitedBody, type HttpLimits } from './httpLimits.js';
export { readLimitsConfig } from './limitsConfig.js';
