/** How bad a finding is: ok (checked, fine), warn (works, but will bite), problem (broken now). */
export type Severity = 'ok' | 'warn' | 'problem';

/** One thing doctor checked: what it found and, unless it is fine, the fix. */
export interface Finding {
  check: string;
  severity: Severity;
  message: string;
  fix?: string;
}

export const ok = (check: string, message: string): Finding => ({ check, severity: 'ok', message });
export const warn = (check: string, message: string, fix: string): Finding => ({ check, severity: 'warn', message, fix });
export const problem = (check: string, message: string, fix: string): Finding => ({ check, severity: 'problem', message, fix });

const RANK: Record<Severity, number> = { ok: 0, warn: 1, problem: 2 };

/** The exit status: 0 all fine, 1 warnings, 2 problems. */
export const exitCode = (findings: readonly Finding[]): number => Math.max(0, ...findings.map((f) => RANK[f.severity]));
