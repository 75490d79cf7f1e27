import { readdirSync, readFileSync } from 'node:fs';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { formatGatewayError, GATEWAY_ERRORS, GatewayHttpError } from './errors.js';

describe('the gateway error registry', () => {
  it('holds every code the gateway source raises', () => {
    const directory = new URL('.', import.meta.url);
    // The gateway core's files; auth/limits plugins keep registries of their own.
    const core = /^(server|config|plugins|upstream\/\w+|supergraph\/(?!fixtures)\w+|http\/\w+|observability\/metrics)\.ts$/;
    const sources = (readdirSync(directory, { recursive: true }) as string[])
      .map((file) => file.split('\\').join('/'))
      .filter((file) => core.test(file) && !file.endsWith('.test.ts'))
      .map((file) => readFileSync(new URL(file, directory), 'utf8'))
      .join('\n');
    const raised = new Set<string>();
    for (const match of sources.matchAll(/(?:code: |GatewayHttpError\(|withCode\([^,]+, |GatewayStartError\()'([A-Z_]+)'/g)) raised.add(match[1]);
    for (const match of sources.matchAll(/'(SUBGRAPH_UNAVAILABLE|UNAUTHENTICATED|FORBIDDEN)'/g)) raised.add(match[1]);
    expect(raised.size).toBeGreaterThan(10);
    raised.delete('INVALID_GRAPHQL'); // composition's own code, reported inside COMPOSITION_FAILED
    expect([...raised].filter((code) => !(code in GATEWAY_ERRORS))).toEqual([]);
  });

  it('gives each code an HTTP status and a description', () => {
    for (const [code, { status, description }] of Object.entries(GATEWAY_ERRORS)) {
      expect(status, code).toBeGreaterThanOrEqual(200);
      expect(description.length, code).toBeGreaterThan(20);
    }
  });
});

describe('formatGatewayError', () => {
  const unexpected = new GraphQLError('boom', { originalError: new Error('boom') });

  it('tags an error without a code INTERNAL_SERVER_ERROR and adds its stack in development', () => {
    const formatted = formatGatewayError(unexpected, false);
    expect(formatted.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(Array.isArray(formatted.extensions?.stacktrace)).toBe(true);
  });

  it('strips stack traces, also those a subgraph sent, and upstream bodies in production', () => {
    expect(formatGatewayError(unexpected, true).extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    const fromSubgraph = { message: 'no', extensions: { code: 'CRM_UNAVAILABLE', stacktrace: ['at crm.ts:1'], responseBody: '<html>', serviceName: 'crm' } };
    expect(formatGatewayError(fromSubgraph, true)).toEqual({ message: 'no', extensions: { code: 'CRM_UNAVAILABLE', serviceName: 'crm' } });
  });

  it('lets a plugin choose the HTTP status and headers of a refusal', () => {
    const refusal = new GatewayHttpError('UNAUTHENTICATED', 'no token', { headers: { 'www-authenticate': 'Bearer' } });
    expect(refusal.status).toBe(401);
    expect(refusal.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(new GatewayHttpError('QUERY_TOO_DEEP', 'too deep').status).toBe(400);
  });
});
