import { isatty } from 'node:tty';
import type { Env } from './runtime-options.ts';

/** Colour only for a person at a terminal: never into a pipe or file, never with NO_COLOR set (no-color.org). */
export function colourOn(fd: number, env: Env = process.env): boolean {
  return !env.NO_COLOR && env.TERM !== 'dumb' && isatty(fd);
}

const CODES = { red: 31, yellow: 33, green: 32, bold: 1, dim: 2 } as const;
export type Colour = keyof typeof CODES;

/** A painter for one output stream: the text as is when colour is off. */
export function painter(fd: number, env: Env = process.env): (colour: Colour, text: string) => string {
  const on = colourOn(fd, env);
  return (colour, text) => (on ? `\x1b[${CODES[colour]}m${text}\x1b[0m` : text);
}
