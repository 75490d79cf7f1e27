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
