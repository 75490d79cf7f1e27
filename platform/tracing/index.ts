export { startServiceTracing, type ServiceTracing } from './serviceTracing.js';
export { extractTraceContext, injectTraceContext } from './traceContext.js';
export { ATTR_GRAPHQL_OPERATION_NAME, ATTR_GRAPHQL_OPERATION_TYPE, endHttpServerSpan, runInContext, setErrorType, startHttpServerSpan, type HttpServerSpan } from './httpServerSpan.js';
