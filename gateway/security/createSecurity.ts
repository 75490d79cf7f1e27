import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import type pg from 'pg';
import { resolveGatewayProofKey } from '../../platform/auth/gatewayProof.js';
import type { AuthorizationRules } from '../../platform/auth/requirements.js';
import type { AuditBudgetConfig } from '../audit/auditBudget.js';
import { auditRoute } from '../audit/auditRoute.js';
import { databaseAuditSink, logAuditSink, type AuditSink } from '../audit/auditSink.js';
import { createAuthenticator } from '../auth/authConfig.js';
import { authPlugin } from '../auth/authPlugin.js';
import { gatewayProofPlugin } from '../auth/gatewayProofPlugin.js';
import { authorizationPlugin } from '../authorization/authorizationPlugin.js';
import { explorePlugin } from '../authorization/explorePlugin.js';
import { introspectionPlugin } from '../authorization/introspectionPlugin.js';
import { csrfPlugin } from '../csrf/csrfPlugin.js';
import { limitsPlugin } from '../limits/limitsPlugin.js';
import type { GatewayPlugin } from '../plugins.js';
import type { GatewaySecurityConfig } from './securityConfig.js';

export interface GatewaySecurity {
  /** In lifecycle order: CSRF, auth, explore, introspection (what each caller sees of the schema), limits, authorization (+ masking, audit), gateway proof. */
  plugins: GatewayPlugin[];
  /** /.well-known/jwks.json (demo issuer) and /audit. */
  routes: Record<string, (request: IncomingMessage, response: ServerResponse) => void>;
  audit: AuditSink;
  close(): Promise<void>;
}

/**
 * Builds the gateway's security from its config (the integration recipe of
 * ADR 0003): the verifier (and demo issuer), the proof key, the audit sink
 * (PostgreSQL when the gateway has a pool, else the log), and the plugins.
 */
export async function createGatewaySecurity(options: {
  config: GatewaySecurityConfig;
  production: boolean;
  logger: Logger;
  /** The audit database; without it audit records go to the log. */
  pool?: pg.Pool;
  /** Where audit records wait while the audit database is down (see GatewayConfig.auditSpoolDir). */
  auditSpoolDir?: string;
  /** How an audited answer's time is split between the audit database and the spool (see GatewayConfig.auditBudget). */
  auditBudget?: AuditBudgetConfig;
  /** Told where each audit record went (metrics). */
  onAudit?(stored: 'database' | 'spool' | 'log' | 'refused'): void;
  rulesOf(schema: GraphQLSchema): AuthorizationRules;
}): Promise<GatewaySecurity> {
  const { config, production, logger } = options;
  const proofKey = await resolveGatewayProofKey(config.gatewayProof, 'signer');
  const { verifier, demoIssuer } = await createAuthenticator(config.auth);
  const audit = options.pool ? await databaseAuditSink(options.pool, logger, { spoolDir: options.auditSpoolDir, ...options.auditBudget }) : logAuditSink(logger);
  const routes: GatewaySecurity['routes'] = { '/audit': auditRoute(verifier, options.pool) };
  if (demoIssuer) routes['/.well-known/jwks.json'] = (request, response) => demoIssuer.jwksHandler(request, response);
  return {
    plugins: [
      csrfPlugin(),
      authPlugin(verifier),
      explorePlugin(production),
      // After explore (it decides who may introspect), before authorization (its onResponse rewrites the introspection answer first).
      introspectionPlugin({ rulesOf: options.rulesOf }),
      limitsPlugin(config.operationLimits),
      authorizationPlugin({ rulesOf: options.rulesOf, mode: config.authorizationMode, audit, onAudit: options.onAudit }),
      gatewayProofPlugin(proofKey),
    ],
    routes,
    audit,
    close: () => audit.close(),
  };
}
