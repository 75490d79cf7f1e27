import { ReconError } from './errors.js';

/**
 * What the reconciliation jobs compare and how strictly. One typed object,
 * defaulted and validated at start (the bad key is named in the error).
 * The defaults are the ones the seed's reconciliation truth is worked out
 * with (sandbox/seed/reconTruth.ts), and the ones a business user sees.
 */
export interface ReconcileRules {
  /** A won deal needs an ERP sale order or posted invoice within this many days of its close date. @default 30 */
  dealWindowDays: number;
  /** Monthly CRM and ERP totals differ when apart by more than this many cents … @default 100 (1.00) */
  monthlyToleranceCents: number;
  /** … and by more than this percentage of the larger total. @default 1 */
  monthlyTolerancePercent: number;
  /** A source record unchanged since UTC midnight this many days before the run's day is stale. @default 730 (two years) */
  staleDays: number;
}

export interface ReconcileConfig extends ReconcileRules {
  /** Minutes between scheduled runs of every job; 0 turns the schedule off. @default 60 */
  intervalMinutes: number;
  /** Longest comment on an acknowledgement or resolution, in characters. @default 2000 */
  commentMaxLength: number;
  /** The schema of Odoo's tables. @default 'erp' */
  erpSchema: string;
}

export const DEFAULT_RECONCILE_CONFIG: ReconcileConfig = {
  dealWindowDays: 30,
  monthlyToleranceCents: 100,
  monthlyTolerancePercent: 1,
  staleDays: 730,
  intervalMinutes: 60,
  commentMaxLength: 2000,
  erpSchema: 'erp',
};

const ENV_KEYS: Record<keyof ReconcileConfig, string> = {
  dealWindowDays: 'RECON_DEAL_WINDOW_DAYS',
  monthlyToleranceCents: 'RECON_MONTHLY_TOLERANCE_CENTS',
  monthlyTolerancePercent: 'RECON_MONTHLY_TOLERANCE_PERCENT',
  staleDays: 'RECON_STALE_DAYS',
  intervalMinutes: 'RECON_INTERVAL_MINUTES',
  commentMaxLength: 'RECON_COMMENT_MAX_LENGTH',
  erpSchema: 'RECON_ERP_SCHEMA',
};

/** Defaults, overridden by `overrides`, then checked. */
export function resolveReconcileConfig(overrides: Partial<ReconcileConfig> = {}): ReconcileConfig {
  const config = { ...DEFAULT_RECONCILE_CONFIG, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) } as ReconcileConfig;
  const integer = (key: keyof ReconcileConfig, min: number, max: number) => {
    const value = config[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new ReconError('RECON_INVALID_CONFIG', `${key}: expected an integer from ${min} to ${max}, got ${JSON.stringify(value)}`, { key });
    }
  };
  integer('dealWindowDays', 0, 3650);
  integer('monthlyToleranceCents', 0, 1_000_000_000);
  integer('staleDays', 1, 36_500);
  integer('intervalMinutes', 0, 10_080);
  integer('commentMaxLength', 1, 100_000);
  if (typeof config.monthlyTolerancePercent !== 'number' || !(config.monthlyTolerancePercent >= 0 && config.monthlyTolerancePercent <= 100)) {
    throw new ReconError('RECON_INVALID_CONFIG', `monthlyTolerancePercent: expected a number from 0 to 100, got ${JSON.stringify(config.monthlyTolerancePercent)}`, { key: 'monthlyTolerancePercent' });
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(config.erpSchema)) {
    throw new ReconError('RECON_INVALID_CONFIG', `erpSchema: expected an SQL identifier, got ${JSON.stringify(config.erpSchema)}`, { key: 'erpSchema' });
  }
  return config;
}

/** Reads RECON_* variables (see ENV_KEYS); an unparsable number is named with its variable. */
export function readReconcileConfig(env: NodeJS.ProcessEnv = process.env): ReconcileConfig {
  const overrides: Partial<Record<keyof ReconcileConfig, unknown>> = {};
  for (const [key, variable] of Object.entries(ENV_KEYS) as Array<[keyof ReconcileConfig, string]>) {
    const raw = env[variable];
    if (raw === undefined || raw === '') continue;
    if (key === 'erpSchema') { overrides[key] = raw; continue; }
    const value = Number(raw);
    if (!Number.isFinite(value)) throw new ReconError('RECON_INVALID_CONFIG', `${variable}: expected a number, got ${JSON.stringify(raw)}`, { key: variable });
    overrides[key] = value;
  }
  return resolveReconcileConfig(overrides as Partial<ReconcileConfig>);
}
