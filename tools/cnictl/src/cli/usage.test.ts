import { describe, expect, it } from 'vitest';
import { bashCompletion } from './completion.ts';
import { commandHelp, COMMANDS, didYouMean, optionNames, overview, unknownCommand } from './usage.ts';

describe('usage', () => {
  it('gives every command a usage line, a summary and an example', () => {
    for (const name of Object.keys(COMMANDS)) {
      const help = commandHelp(name);
      expect(help).toMatch(new RegExp(`^usage: cnictl ${name}`));
      expect(help).toMatch(/\nExample:\n {2}\S/);
      expect(overview()).toContain(`cnictl ${COMMANDS[name]!.usage}`);
    }
  });

  it('reads the option names from the option lines', () => {
    expect(optionNames('install')).toEqual(['--dir', '--from']);
    expect(optionNames('gc')).toEqual(expect.arrayContaining(['--valid-attachments', '--all-stale', '--dry-run']));
    expect(optionNames('gc')).not.toContain('--json');
  });

  it('suggests the command meant, and nothing for a word far from all', () => {
    expect(didYouMean('stauts', Object.keys(COMMANDS))).toBe('status');
    expect(didYouMean('brdge', ['bridge', 'portmap'])).toBe('bridge');
    expect(didYouMean('frobnicate', Object.keys(COMMANDS))).toBeUndefined();
    expect(unknownCommand('isntall')).toBe('unknown command "isntall": did you mean "install"? (see: cnictl help)');
  });

  it('completes every command and its options', () => {
    const script = bashCompletion();
    expect(script).toContain('complete -F _cnictl cnictl');
    expect(script).toMatch(/gc\) words="[^"]*--all-stale/);
    expect(script).toMatch(/lab\) words="up status down /);
  });
});
