import { describe, expect, it } from 'vitest';
import { bootTimeMs } from './context.ts';
import { exitCode, ok, problem, warn } from './finding.ts';
import { findingsJson, formatFindings } from './report.ts';

describe('findings', () => {
  const findings = [ok('a', 'fine'), warn('b', 'soon', 'do x'), problem('c', 'broken', 'do y')];

  it('exit by the worst severity', () => {
    expect(exitCode([])).toBe(0);
    expect(exitCode(findings.slice(0, 1))).toBe(0);
    expect(exitCode(findings.slice(0, 2))).toBe(1);
    expect(exitCode(findings)).toBe(2);
  });

  it('one line each with its fix; colour only when painted; JSON with every key', () => {
    const text = formatFindings(findings, (_c, t) => t);
    expect(text.split('\n')).toEqual(['ok      a: fine', 'WARN    b: soon -> fix: do x', 'PROBLEM c: broken -> fix: do y', '1 problem(s), 1 warning(s), 1 ok']);
    expect(formatFindings(findings, (c, t) => `<${c}>${t}`)).toContain('<red>PROBLEM c: broken');
    expect(JSON.parse(findingsJson(findings))).toEqual([
      { check: 'a', severity: 'ok', message: 'fine', fix: null },
      { check: 'b', severity: 'warn', message: 'soon', fix: 'do x' },
      { check: 'c', severity: 'problem', message: 'broken', fix: 'do y' },
    ]);
  });

  it('reads the boot time from /proc/stat', () => {
    expect(bootTimeMs('cpu  1 2 3\nbtime 1764640000\nprocesses 9\n')).toBe(1764640000000);
    expect(bootTimeMs('nothing')).toBe(0);
  });
});
