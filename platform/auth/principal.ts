/**
 * Who is calling, once authenticated. Plain data so it can be logged, put in a
 * gateway proof and compared in tests.
 */
export interface UserPrincipal {
  kind: 'user';
  subject: string;
  scopes: readonly string[];
  /** The verified claims, for plugins that need more than subject and scopes. */
  claims?: Readonly<Record<string, unknown>>;
}

export interface AnonymousPrincipal {
  kind: 'anonymous';
  scopes: readonly string[];
}

export type Principal = UserPrincipal | AnonymousPrincipal;

export const ANONYMOUS: AnonymousPrincipal = Object.freeze({ kind: 'anonymous', scopes: Object.freeze([]) as readonly string[] });

export function userPrincipal(subject: string, scopes: readonly string[], claims?: Record<string, unknown>): UserPrincipal {
  return { kind: 'user', subject, scopes: [...new Set(scopes)], claims };
}

export function hasScope(principal: Principal, scope: string): boolean {
  return principal.kind === 'user' && principal.scopes.includes(scope);
}

/** Subject as written to logs and the audit table. */
export function subjectOf(principal: Principal): string {
  return principal.kind === 'user' ? principal.subject : 'anonymous';
}

/** OAuth 2 `scope` claim: a space-separated string; some issuers send an array (`scp`). */
export function scopesFromClaims(claims: Record<string, unknown>): string[] {
  const raw = claims.scope ?? claims.scp;
  if (typeof raw === 'string') return raw.split(/\s+/).filter(Boolean);
  if (Array.isArray(raw)) return raw.filter((s): s is string => typeof s === 'string');
  return [];
}
