export { createGatewaySecurity, type GatewaySecurity } from './createSecurity.js';
export { readSecurityConfig, type GatewaySecurityConfig } from './securityConfig.js';
