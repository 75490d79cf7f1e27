import type { CheckReport } from './checkSubgraph.js';
import type { CompositionIssue } from './compose.js';

/**
 * Prints a check report as text a reviewer reads in a CI log: verdict first,
 * then what failed and why, then the detail. No colours: CI logs and
 * snapshots should read the same.
 */
export function printCheckReport(report: CheckReport): string {
  const lines: string[] = [];
  const base = report.baseSupergraphVersion === null ? 'no current supergraph' : `supergraph v${report.baseSupergraphVersion}`;
  lines.push(`${report.passed ? 'PASSED' : 'FAILED'}: check of subgraph "${report.subgraph}" against ${base}`);
  for (const failure of report.failures) lines.push(`  ✗ ${failure}`);

  if (report.composition.errors.length) {
    lines.push('', 'Composition errors:');
    for (const issue of report.composition.errors) lines.push(`  ${formatIssue(issue)}`);
  }
  if (report.composition.hints.length) {
    lines.push('', 'Composition hints:');
    for (const issue of report.composition.hints) lines.push(`  ${formatIssue(issue)}`);
  }

  if (report.changes.length) {
    const s = report.summary;
    lines.push('', `Schema changes (${s.breaking} breaking, ${s.warnings} warning, ${s.dangerous} dangerous, ${s.safe} safe; usage window ${report.operations.windowDays} day(s)):`);
    const order = { breaking: 0, warning: 1, dangerous: 2, safe: 3 } as const;
    for (const change of [...report.changes].sort((a, b) => order[a.verdict] - order[b.verdict])) {
      lines.push(`  ${change.verdict.toUpperCase().padEnd(9)} ${change.message}`);
      if (change.verdict === 'warning') lines.push('            no operation used it within the window');
      if (change.verdict === 'breaking' && !change.trackable) lines.push('            usage data cannot clear this kind of change');
      for (const use of change.usedBy) {
        lines.push(`            used by ${use.name ?? '(anonymous)'} [${use.hash.slice(0, 12)}] from ${clientOf(use.clientName, use.clientVersion)}: ${use.count} request(s), last ${use.lastSeen}`);
      }
    }
  } else if (report.composition.ok) {
    lines.push('', 'No schema changes visible to clients.');
  }

  if (report.security.findings.length) {
    lines.push('', `Security-relevant authorization changes${report.security.accepted ? ' (accepted)' : ''}:`);
    for (const finding of report.security.findings) lines.push(`  ${finding.kind.padEnd(24)} ${finding.message}`);
  }
  return lines.join('\n');
}

function formatIssue(issue: CompositionIssue): string {
  const where = issue.locations
    .map((l) => [l.subgraph, l.line && `${l.line}:${l.column ?? 1}`].filter(Boolean).join(' '))
    .filter(Boolean);
  return `[${issue.code}] ${issue.message}${where.length ? ` (at ${where.join(', ')})` : ''}`;
}

function clientOf(name: string, version: string): string {
  if (!name) return 'an unnamed client';
  return version ? `${name}@${version}` : name;
}
