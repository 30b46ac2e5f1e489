import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { confFiles, parseConfList, parseSingleConf, type NetworkList, type PluginConf } from '../conf/load.ts';

/** One file as a runtime loads it: its list (drop-ins appended) or why it does not load. */
export interface LoadedFile {
  file: string;
  list?: NetworkList;
  /** The file's own JSON object (list-level keys), when it parsed. */
  raw?: Record<string, unknown>;
  /** Drop-in files whose plugins were appended, in order. */
  dropIns: string[];
  problem?: string;
}

const EXTENSIONS = ['.conf', '.conflist', '.json'];

/**
 * The files of a conf dir in the order CRI runtimes read them (containerd's and CRI-O's: every
 * .conf, .conflist and .json together, by name), or the one file asked for.
 */
export function runtimeFiles(target: string): { dir: string; files: string[] } {
  if (existsSync(target) && statSync(target).isFile()) return { dir: dirname(target), files: [target] };
  return { dir: target, files: confFiles(target, EXTENSIONS) };
}

/**
 * Load one file as libcni does; a conflist named N also gets the plugins of `<dir>/N/*.conf`,
 * appended in name order unless it sets loadOnlyInlinedPlugins (libcni 1.3).
 */
export function loadFile(file: string, dir: string): LoadedFile {
  try {
    const bytes = readFileSync(file);
    const list = extname(file) === '.conflist' ? parseConfList(bytes, file) : parseSingleConf(bytes, file);
    const raw = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
    const dropIns = extname(file) === '.conflist' && raw.loadOnlyInlinedPlugins !== true ? dropInFiles(join(dir, list.name)) : [];
    for (const d of dropIns) list.plugins.push(dropInPlugin(d));
    return { file, list, raw, dropIns };
  } catch (e) {
    return { file, dropIns: [], problem: (e as Error).message };
  }
}

function dropInFiles(sub: string): string[] {
  if (!existsSync(sub) || !statSync(sub).isDirectory()) return [];
  return readdirSync(sub).filter((n) => extname(n) === '.conf').sort().map((n) => join(sub, n));
}

function dropInPlugin(file: string): PluginConf {
  // A drop-in is one plugin object: read it through the single-plugin loader for the same checks.
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  return parseSingleConf(Buffer.from(JSON.stringify({ name: basename(dirname(file)), ...raw })), file).plugins[0]!;
}
