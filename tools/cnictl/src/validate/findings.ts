/** How bad a finding is; the worst one decides validate's exit code. */
export type Severity = 'problem' | 'warning' | 'info';

/** One thing validate found, with where it is and, when there is one, the fix. */
export interface Finding {
  severity: Severity;
  /** What kind of check found it (for --json consumers): "config", "unknown-key", "binary", ... */
  check: string;
  file: string;
  message: string;
  fix?: string;
}

/** A file validate looked at, with the list it holds (the version is the one the list runs at). */
export interface CheckedFile {
  file: string;
  network?: string;
  cniVersion?: string;
}

/** Exit 0 when clean (info only), 1 with warnings, 2 with problems. */
export function exitCode(findings: readonly Finding[]): number {
  if (findings.some((f) => f.severity === 'problem')) return 2;
  return findings.some((f) => f.severity === 'warning') ? 1 : 0;
}

const LABEL: Record<Severity, string> = { problem: 'PROBLEM', warning: 'warning', info: 'info' };

/** The findings for a person: grouped by file, in the order found, each with its fix. */
export function formatText(files: readonly CheckedFile[], findings: readonly Finding[]): string {
  const lines: string[] = [];
  for (const { file, network, cniVersion } of files) {
    const own = findings.filter((f) => f.file === file);
    const worst = own.find((f) => f.severity === 'problem') ?? own.find((f) => f.severity === 'warning');
    lines.push(`${worst ? LABEL[worst.severity].padEnd(8) : 'ok      '} ${file}${network ? ` (network "${network}", version ${cniVersion})` : ''}`);
    for (const f of own) lines.push(`  - ${LABEL[f.severity]}: ${f.message}${f.fix ? `\n    fix: ${f.fix}` : ''}`);
  }
  const counts = (['problem', 'warning'] as const).map((s) => `${findings.filter((f) => f.severity === s).length} ${s}(s)`);
  lines.push(`${counts.join(', ')} in ${files.length} file(s)`);
  return lines.join('\n');
}
