import { fieldRequirement, isRestricted, PII_READ_SCOPE, satisfies, type AuthorizationRules } from '../../platform/auth/requirements.js';
import { userPrincipal, ANONYMOUS, type Principal } from '../../platform/auth/principal.js';
import type { PiiMask } from '../../platform/auth/masks.js';

/**
 * The scope model and the role × field matrix, as data: the demo issuer, the
 * README table and the authorization tests all read it from here. The SDL
 * stays the only source of truth for enforcement; `compareMatrixWithRules`
 * checks that the composed supergraph declares exactly what this matrix says.
 */
export const SCOPES = {
  'customers:read': 'read golden customers (name, domain, address, source ids) and their contacts',
  'products:read': 'read product stock, sources and source ids (catalogue fields are public)',
  'pii:read': 'read PII in clear (emails, phones, contact names, tax ids); without it they come masked',
  'finance:read': 'credit limits, open balances, invoices',
  'sales:read': 'orders, deals and the pipeline',
  'support:read': 'support tickets',
  'mdm:steward': 'review match candidates, merge and unmerge golden records',
  'reconcile:read': 'read reconciliation findings, runs and the data-quality profile',
  'reconcile:write': 'acknowledge and resolve findings, run the reconciliation on demand',
  explore: 'introspection and field suggestions in production (GraphiQL)',
  'audit:read': 'read the PII/finance audit log (admin)',
} as const;

export type Scope = keyof typeof SCOPES;

export const PROFILES = {
  anonymous: { description: 'no token: public catalogue fields only', scopes: [] },
  analyst: {
    description: 'reads everything, PII masked, may explore the schema',
    scopes: ['customers:read', 'products:read', 'finance:read', 'sales:read', 'support:read', 'explore', 'reconcile:read'],
  },
  steward: {
    description: 'data steward: reviews and merges golden records, works the reconciliation findings',
    scopes: ['customers:read', 'products:read', 'pii:read', 'mdm:steward', 'reconcile:read', 'reconcile:write'],
  },
  sales: { description: 'account manager: customers, contacts, orders, deals', scopes: ['customers:read', 'products:read', 'pii:read', 'sales:read'] },
  support: { description: 'support agent: customers, contacts, tickets', scopes: ['customers:read', 'products:read', 'pii:read', 'support:read'] },
  finance: {
    description: 'credit control: balances, limits, invoices, tax ids, reconciling invoices with won deals',
    scopes: ['customers:read', 'products:read', 'pii:read', 'finance:read', 'reconcile:read', 'reconcile:write'],
  },
  admin: { description: 'platform admin: everything, including the audit log', scopes: Object.keys(SCOPES) as Scope[] },
} as const satisfies Record<string, { description: string; scopes: readonly Scope[] }>;

export type ProfileName = keyof typeof PROFILES;

/** Demo users of the local issuer: `demo-<profile>` (anonymous has no user: send no token). */
export const DEMO_USERS: Record<string, ProfileName> = {
  'demo-analyst': 'analyst',
  'demo-steward': 'steward',
  'demo-sales': 'sales',
  'demo-support': 'support',
  'demo-finance': 'finance',
  'demo-admin': 'admin',
};

export function principalOfProfile(profile: ProfileName): Principal {
  return profile === 'anonymous' ? ANONYMOUS : userPrincipal(`demo-${profile}`, PROFILES[profile].scopes);
}

/**
 * What each protected field must declare in its subgraph's SDL (the SDL
 * snippet is what subgraph engineers copy; see docs/adr/0003-authorization.md).
 * `scopes` is the @requiresScopes argument (outer OR, inner AND); `[]` with
 * authenticated means @authenticated only. Type-level entries have no dot.
 */
export interface ProtectedField {
  coordinate: string;
  subgraph: 'mdm' | 'erp' | 'crm' | 'quality';
  authenticated: boolean;
  scopes: Scope[][];
  pii?: PiiMask;
  /** Recorded in audit.field_read on every read. */
  audited: boolean;
}

const field = (coordinate: string, subgraph: ProtectedField['subgraph'], scopes: Scope[][], extra: Partial<ProtectedField> = {}): ProtectedField => ({
  coordinate,
  subgraph,
  authenticated: true,
  scopes,
  audited: Boolean(extra.pii) || scopes.some((group) => group.includes('finance:read')),
  ...extra,
});

export const PROTECTED_FIELDS: ProtectedField[] = [
  field('Customer', 'mdm', [['customers:read']]),
  field('Customer.taxId', 'mdm', [['customers:read']], { pii: 'TAX_ID' }),
  field('Customer.primaryEmail', 'mdm', [['customers:read']], { pii: 'EMAIL' }),
  field('Customer.phone', 'mdm', [['customers:read']], { pii: 'PHONE' }),
  field('Product.stock', 'erp', [['products:read']]),
  field('Product.sources', 'mdm', [['products:read']]),
  field('Customer.creditLimit', 'erp', [['finance:read']]),
  field('Customer.openBalance', 'erp', [['finance:read']]),
  field('Customer.invoices', 'erp', [['finance:read']]),
  field('Customer.overdueInvoices', 'erp', [['finance:read']]),
  field('Customer.orders', 'erp', [['sales:read'], ['finance:read']]),
  field('Customer.contacts', 'crm', [['customers:read']]),
  field('Contact.name', 'crm', [['customers:read']], { pii: 'NAME' }),
  field('Contact.firstName', 'crm', [['customers:read']], { pii: 'NAME' }),
  field('Contact.lastName', 'crm', [['customers:read']], { pii: 'NAME' }),
  field('Contact.email', 'crm', [['customers:read']], { pii: 'EMAIL' }),
  field('Contact.phone', 'crm', [['customers:read']], { pii: 'PHONE' }),
  field('Customer.deals', 'crm', [['sales:read']]),
  field('Customer.tickets', 'crm', [['support:read']]),
  field('Query.searchCustomers', 'mdm', [['customers:read']]),
  // MDM stewardship (the review queue, history and steward mutations); their result types are closed too.
  field('Query.reviewQueue', 'mdm', [['mdm:steward']]),
  field('Query.history', 'mdm', [['mdm:steward']]),
  field('Query.quarantinedRecords', 'mdm', [['mdm:steward']]),
  field('Mutation.acceptMatchCandidate', 'mdm', [['mdm:steward']]),
  field('Mutation.rejectMatchCandidate', 'mdm', [['mdm:steward']]),
  field('Mutation.mergeCustomers', 'mdm', [['mdm:steward']]),
  field('Mutation.mergeProducts', 'mdm', [['mdm:steward']]),
  field('Mutation.unmergeSourceRecord', 'mdm', [['mdm:steward']]),
  field('Mutation.undoHistoryEvent', 'mdm', [['mdm:steward']]),
  ...['MatchCandidate', 'MatchCandidateConnection', 'MatchCandidateEdge', 'CandidateRecord', 'AttributeValue', 'AttributeContribution', 'HistoryEvent', 'StewardResult', 'QuarantinedRecord'].map(
    (type) => field(type, 'mdm', [['mdm:steward']]),
  ),
  // Reconciliation and data quality (the quality subgraph): money needs finance:read, disputed values are masked.
  ...['findings', 'finding', 'reconciliationSummary', 'reconciliationRuns', 'mismatchedTotalsByMonth', 'qualityProfile', 'qualityTrend'].map(
    (name) => field(`Query.${name}`, 'quality', [['reconcile:read']]),
  ),
  ...['acknowledgeFinding', 'resolveFinding', 'runReconciliation'].map((name) => field(`Mutation.${name}`, 'quality', [['reconcile:write']])),
  field('Finding.amounts', 'quality', [['finance:read']]),
  field('FindingRecord.amount', 'quality', [['finance:read']]),
  field('MonthlyMismatch.totals', 'quality', [['finance:read']]),
  field('FindingRecord.value', 'quality', [['reconcile:read']], { pii: 'REDACT' }),
  field('AttributeConflict.values', 'quality', [['reconcile:read']], { pii: 'REDACT' }),
  field('AttributeConflict.survivor', 'quality', [['reconcile:read']], { pii: 'REDACT' }),
];

export type Access = 'clear' | 'masked' | 'denied';

/** What a principal gets for one coordinate under a rule table: the cell of the matrix. */
export function accessOf(rules: AuthorizationRules, principal: Principal, coordinate: string, returnType = ''): Access {
  const [typeName, fieldName] = coordinate.split('.');
  const requirement = fieldName === undefined ? rules.types[typeName] : fieldRequirement(rules, typeName, fieldName, returnType);
  if (requirement && isRestricted(requirement) && !satisfies(principal, requirement)) return 'denied';
  if (fieldName !== undefined && rules.pii[coordinate] && !(principal.kind === 'user' && principal.scopes.includes(PII_READ_SCOPE))) return 'masked';
  return 'clear';
}

/** The rule table the matrix declares (what the composed supergraph should yield). */
export function rulesOfMatrix(fields: readonly ProtectedField[] = PROTECTED_FIELDS): AuthorizationRules {
  const rules: AuthorizationRules = { types: {}, fields: {}, pii: {} };
  for (const entry of fields) {
    const requirement = { authenticated: entry.authenticated, scopes: entry.scopes.map((group) => [...group]) };
    if (entry.coordinate.includes('.')) rules.fields[entry.coordinate] = requirement;
    else rules.types[entry.coordinate] = requirement;
    if (entry.pii) rules.pii[entry.coordinate] = entry.pii;
  }
  return rules;
}

/** Expected matrix: profile → coordinate → access. */
export function expectedMatrix(fields: readonly ProtectedField[] = PROTECTED_FIELDS): Record<ProfileName, Record<string, Access>> {
  const rules = rulesOfMatrix(fields);
  const matrix = {} as Record<ProfileName, Record<string, Access>>;
  for (const profile of Object.keys(PROFILES) as ProfileName[]) {
    matrix[profile] = {};
    for (const entry of fields) {
      // Type-level Customer applies to every Customer field; the matrix shows the field's own cell plus it.
      matrix[profile][entry.coordinate] = accessOf(rules, principalOfProfile(profile), entry.coordinate);
    }
  }
  return matrix;
}

/**
 * Differences between what the supergraph declares and what the matrix says,
 * as readable lines (empty = in step). The integration test asserts it is empty.
 */
export function compareMatrixWithRules(rules: AuthorizationRules, fields: readonly ProtectedField[] = PROTECTED_FIELDS): string[] {
  const problems: string[] = [];
  const declared = rulesOfMatrix(fields);
  const norm = (r?: { authenticated: boolean; scopes: string[][] }) =>
    r ? JSON.stringify({ a: r.authenticated || r.scopes.length > 0, s: r.scopes.map((g) => [...g].sort()).map((g) => g.join(' ')).sort() }) : 'none';
  for (const kind of ['types', 'fields'] as const) {
    const keys = new Set([...Object.keys(declared[kind]), ...Object.keys(rules[kind])]);
    for (const key of [...keys].sort()) {
      if (norm(declared[kind][key]) !== norm(rules[kind][key])) problems.push(`${key}: matrix says ${norm(declared[kind][key])}, SDL says ${norm(rules[kind][key])}`);
    }
  }
  const piiKeys = new Set([...Object.keys(declared.pii), ...Object.keys(rules.pii)]);
  for (const key of [...piiKeys].sort()) {
    if (declared.pii[key] !== rules.pii[key]) problems.push(`${key}: matrix masks ${declared.pii[key] ?? 'nothing'}, SDL masks ${rules.pii[key] ?? 'nothing'}`);
  }
  return problems;
}

/** The README's matrix, generated: one row per protected field, one column per profile. */
export function renderScopeMatrixMarkdown(fields: readonly ProtectedField[] = PROTECTED_FIELDS): string {
  const profiles = Object.keys(PROFILES) as ProfileName[];
  const matrix = expectedMatrix(fields);
  const symbol: Record<Access, string> = { clear: '✔', masked: 'masked', denied: '—' };
  const lines = [
    `| field | declared | ${profiles.join(' | ')} |`,
    `| --- | --- | ${profiles.map(() => '---').join(' | ')} |`,
  ];
  for (const entry of fields) {
    const declared = entry.scopes.length ? entry.scopes.map((g) => g.join(' + ')).join(' or ') : 'authenticated';
    const suffix = `${entry.pii ? ` · @pii(${entry.pii})` : ''}${entry.audited ? ' · audited' : ''}`;
    lines.push(`| \`${entry.coordinate}\` | ${declared}${suffix} | ${profiles.map((p) => symbol[matrix[p][entry.coordinate]]).join(' | ')} |`);
  }
  lines.push('', 'Profiles: ' + profiles.map((p) => `**${p}** (${PROFILES[p].scopes.join(', ') || 'no scopes'})`).join('; ') + '.');
  return lines.join('\n');
}
