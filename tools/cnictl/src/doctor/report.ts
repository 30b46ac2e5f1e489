import { painter } from '../cli/colour.ts';
import type { Finding, Severity } from './finding.ts';

const LABEL: Record<Severity, string> = { ok: 'ok     ', warn: 'WARN   ', problem: 'PROBLEM' };
const COLOUR = { ok: 'green', warn: 'yellow', problem: 'red' } as const;

/** One line per finding, its fix after an arrow; colour only on a terminal. */
export function formatFindings(findings: readonly Finding[], paint = painter(1)): string {
  const lines = findings.map((f) => `${paint(COLOUR[f.severity], LABEL[f.severity])} ${f.check}: ${f.message}${f.fix ? ` -> fix: ${f.fix}` : ''}`);
  const count = (s: Severity): number => findings.filter((f) => f.severity === s).length;
  lines.push(`${count('problem')} problem(s), ${count('warn')} warning(s), ${count('ok')} ok`);
  return lines.join('\n');
}

/** The JSON form: a list of {check, severity, message, fix}. */
export const findingsJson = (findings: readonly Finding[]): string =>
  JSON.stringify(findings.map((f) => ({ check: f.check, severity: f.severity, message: f.message, fix: f.fix ?? null })), null, 2);
