import { ConfigError, readInt, readString } from '../../platform/config.js';
import type { CrmSandboxConfig } from './server.js';

type Env = Record<string, string | undefined>;

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** Parses a rate limit written as "<requests>/<window>", e.g. "100/10s" (HubSpot's private-app burst limit), "5/1s", "1000/1m". */
export function parseRateLimit(key: string, raw: string): { requests: number; perMs: number } {
  const match = /^\s*(\d+)\s*\/\s*(\d*)\s*(ms|s|m|h)\s*$/.exec(raw);
  const requests = match ? Number(match[1]) : NaN;
  const perMs = match ? Number(match[2] || '1') * UNIT_MS[match[3] as keyof typeof UNIT_MS] : NaN;
  if (!match || requests < 1 || perMs < 1) throw new ConfigError(key, 'a limit like "100/10s" (requests / window in ms, s, m or h), or "off"', raw);
  return { requests, perMs };
}

/**
 * The CRM stand-in's configuration from the environment:
 *
 * | variable | default | meaning |
 * | --- | --- | --- |
 * | CRM_SANDBOX_PORT | 4010 | port to listen on (0 = any free port) |
 * | HOST | 127.0.0.1 | interface to bind |
 * | CRM_SANDBOX_DATABASE_URL | DATABASE_URL | PostgreSQL holding the `crm` schema (required, one or the other) |
 * | CRM_SANDBOX_TOKENS | pat-concord-sandbox | accepted private-app tokens, comma-separated |
 * | CRM_SANDBOX_RATE_LIMIT | off | per-token limit like "100/10s" (HubSpot's private-app burst limit) |
 * | CRM_WEBHOOK_URL | unset | the app's webhook target URL for company events (unset: no webhooks) |
 * | CRM_WEBHOOK_SECRET | — | the app's client secret the v3 signature is made with (required with CRM_WEBHOOK_URL) |
 */
export function loadCrmSandboxConfig(env: Env = process.env): CrmSandboxConfig {
  const databaseUrl = readString(env, 'CRM_SANDBOX_DATABASE_URL') ?? readString(env, 'DATABASE_URL');
  if (!databaseUrl) throw new ConfigError('CRM_SANDBOX_DATABASE_URL', 'a PostgreSQL URL (or DATABASE_URL)', undefined);
  try {
    new URL(databaseUrl);
  } catch {
    throw new ConfigError(env.CRM_SANDBOX_DATABASE_URL ? 'CRM_SANDBOX_DATABASE_URL' : 'DATABASE_URL', 'a PostgreSQL URL', databaseUrl);
  }
  const rawTokens = readString(env, 'CRM_SANDBOX_TOKENS', 'pat-concord-sandbox');
  const tokens = rawTokens.split(',').map((t) => t.trim()).filter(Boolean);
  if (tokens.length === 0) throw new ConfigError('CRM_SANDBOX_TOKENS', 'one or more comma-separated tokens', rawTokens);
  const rawLimit = readString(env, 'CRM_SANDBOX_RATE_LIMIT', 'off');
  const rateLimit = /^(off|none|0)$/i.test(rawLimit.trim()) ? null : parseRateLimit('CRM_SANDBOX_RATE_LIMIT', rawLimit);
  const webhookUrl = readString(env, 'CRM_WEBHOOK_URL');
  const webhookSecret = readString(env, 'CRM_WEBHOOK_SECRET');
  if (webhookUrl && !webhookSecret) throw new ConfigError('CRM_WEBHOOK_SECRET', 'the app client secret that signs webhooks (with CRM_WEBHOOK_URL)', undefined);
  return {
    databaseUrl,
    port: readInt(env, 'CRM_SANDBOX_PORT', 4010, { min: 0, max: 65_535 }),
    host: readString(env, 'HOST', '127.0.0.1'),
    tokens,
    rateLimit,
    ...(webhookUrl && webhookSecret ? { webhooks: { targetUrl: webhookUrl, clientSecret: webhookSecret } } : {}),
  };
}
