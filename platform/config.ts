/**
 * Typed, validated service configuration read from the environment. Each
 * service declares its options once (name, default, parser); a bad value fails
 * at start with the variable's name, what was expected and what came.
 */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly key: string, expected: string, received: string | undefined) {
    super(`invalid configuration ${key}: expected ${expected}, got ${received === undefined ? 'nothing' : JSON.stringify(received)}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

export function readString(env: Env, key: string, fallback: string): string;
export function readString(env: Env, key: string, fallback?: undefined): string | undefined;
export function readString(env: Env, key: string, fallback?: string): string | undefined {
  const value = env[key];
  return value === undefined || value === '' ? fallback : value;
}

export function requireString(env: Env, key: string): string {
  const value = env[key];
  if (value === undefined || value === '') throw new ConfigError(key, 'a value', value);
  return value;
}

export function readInt(env: Env, key: string, fallback: number, range: { min?: number; max?: number } = {}): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  const min = range.min ?? 0;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(key, `an integer from ${min} to ${max}`, raw);
  }
  return value;
}

export function readBool(env: Env, key: string, fallback: boolean): boolean {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(key, 'true or false', raw);
}

export function readUrl(env: Env, key: string, fallback?: string): string | undefined {
  const value = env[key];
  const raw = value === undefined || value === '' ? fallback : value;
  if (raw === undefined) return undefined;
  try {
    new URL(raw);
  } catch {
    throw new ConfigError(key, 'an absolute URL', raw);
  }
  return raw;
}

export function readEnum<T extends string>(env: Env, key: string, allowed: readonly T[], fallback: T): T {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new ConfigError(key, `one of ${allowed.join(', ')}`, raw);
  return raw as T;
}

/** Tracing switched off: the OpenTelemetry API stays a no-op and nothing is exported. */
export interface TracingOff {
  enabled: false;
}

/** Tracing switched on for one service: where its spans go and the name they carry. */
export interface TracingOn {
  enabled: true;
  /** `otlp`: OTLP over HTTP (JSON) to `endpoint`; `console`: printed to stdout (debugging). */
  exporter: 'otlp' | 'console';
  /** The OTLP traces URL, e.g. http://collector:4318/v1/traces (only for `otlp`). */
  endpoint?: string;
  /** The `service.name` resource attribute. */
  serviceName: string;
}

export type TracingConfig = TracingOff | TracingOn;

export const TRACING_OFF: TracingOff = Object.freeze({ enabled: false });

/** Where an OTLP/HTTP exporter sends traces when only OTEL_TRACES_EXPORTER=otlp is set (the spec's default collector). */
export const DEFAULT_OTLP_BASE_URL = 'http://localhost:4318';

/**
 * Tracing from the standard OpenTelemetry variables, so an operator's usual
 * collector setup works unchanged:
 *
 * | variable | default |
 * | --- | --- |
 * | OTEL_SDK_DISABLED | false; true turns tracing off whatever else is set |
 * | OTEL_TRACES_EXPORTER | `otlp` when an endpoint below is set, else `none` (off); `console` prints spans |
 * | OTEL_EXPORTER_OTLP_TRACES_ENDPOINT | unset; used as is (the full URL, /v1/traces included) |
 * | OTEL_EXPORTER_OTLP_ENDPOINT | unset; `/v1/traces` is appended; with neither, http://localhost:4318 |
 * | OTEL_SERVICE_NAME | `defaultServiceName` (concord-gateway, concord-subgraph-erp, …) |
 *
 * Off by default: the gateway is benchmarked against the stock Apollo Gateway,
 * and off means no provider is registered, so every API call is a no-op.
 */
export function readTracingConfig(env: Env, defaultServiceName: string): TracingConfig {
  if (readBool(env, 'OTEL_SDK_DISABLED', false)) return TRACING_OFF;
  const tracesEndpoint = readHttpUrl(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const baseEndpoint = readHttpUrl(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  const endpointSet = tracesEndpoint !== undefined || baseEndpoint !== undefined;
  const exporter = readEnum(env, 'OTEL_TRACES_EXPORTER', ['otlp', 'console', 'none'], endpointSet ? 'otlp' : 'none');
  if (exporter === 'none') return TRACING_OFF;
  const serviceName = readString(env, 'OTEL_SERVICE_NAME', defaultServiceName);
  if (exporter === 'console') return { enabled: true, exporter, serviceName };
  const endpoint = tracesEndpoint ?? `${(baseEndpoint ?? DEFAULT_OTLP_BASE_URL).replace(/\/+$/, '')}/v1/traces`;
  return { enabled: true, exporter, endpoint, serviceName };
}

/** An http(s) URL: `collector:4318` parses as a URL with scheme `collector:`, and would fail only at the first export. */
function readHttpUrl(env: Env, key: string): string | undefined {
  const raw = readUrl(env, key);
  if (raw !== undefined && !/^https?:$/.test(new URL(raw).protocol)) throw new ConfigError(key, 'an absolute http(s) URL', raw);
  return raw;
}
