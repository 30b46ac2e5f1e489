import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '@cni-ts/linux/fs';

/** libcni's default cache directory; results live in `<dir>/results`. */
export const DEFAULT_CACHE_DIR = '/var/lib/cni';
const KIND = 'cniCacheV1';

/** Which container interface on which network: the key of a cached result. */
export interface AttachmentKey {
  network: string;
  containerId: string;
  ifName: string;
}

/** One cached ADD, in libcni's on-disk format (cachedInfo in libcni/api.go). */
export interface CachedAttachment extends AttachmentKey {
  netns: string;
  cniArgs: Array<[string, string]>;
  capabilityArgs: Record<string, unknown>;
  /** The list's bytes at ADD time. */
  config: Buffer;
  /** The final result of the chain, as the last plugin printed it. */
  result: Record<string, unknown>;
}

/**
 * The result cache that lets CHECK and DEL send the ADD result as prevResult, and GC find
 * attachments. Shared with libcni-based runtimes: same path, same JSON, same modes.
 */
export class ResultCache {
  constructor(readonly dir: string = DEFAULT_CACHE_DIR) {}

  private get resultsDir(): string {
    return join(this.dir, 'results');
  }

  path(key: AttachmentKey): string {
    return join(this.resultsDir, `${key.network}-${key.containerId}-${key.ifName}`);
  }

  write(entry: CachedAttachment): void {
    const json: Record<string, unknown> = {
      kind: KIND,
      containerId: entry.containerId,
      config: entry.config.toString('base64'),
      ifName: entry.ifName,
      networkName: entry.network,
    };
    // libcni omits these when empty (omitempty)
    if (entry.netns) json.netns = entry.netns;
    if (entry.cniArgs.length > 0) json.cniArgs = entry.cniArgs;
    if (Object.keys(entry.capabilityArgs).length > 0) json.capabilityArgs = entry.capabilityArgs;
    json.result = entry.result;
    mkdirSync(this.resultsDir, { recursive: true, mode: 0o700 });
    writeFileAtomic(this.path(entry), JSON.stringify(json), 0o600);
  }

  /**
   * The cached attachment, `undefined` when there is none, or an Error describing why the file
   * cannot be used (DEL tolerates that, CHECK reports it).
   */
  read(key: AttachmentKey): CachedAttachment | undefined | Error {
    let text: string;
    try {
      text = readFileSync(this.path(key), 'utf8');
    } catch {
      return undefined;
    }
    return decode(text, this.path(key));
  }

  remove(key: AttachmentKey): void {
    rmSync(this.path(key), { force: true });
  }

  /** Every readable cached attachment of `network` (unreadable files are skipped, as libcni does). */
  list(network: string): CachedAttachment[] {
    let names: string[];
    try {
      names = readdirSync(this.resultsDir).sort();
    } catch {
      return [];
    }
    const found: CachedAttachment[] = [];
    for (const name of names) {
      if (!name.startsWith(`${network}-`)) continue;
      let text: string;
      try {
        text = readFileSync(join(this.resultsDir, name), 'utf8');
      } catch {
        continue;
      }
      const entry = decode(text, name);
      if (!(entry instanceof Error) && entry.network === network) found.push(entry);
    }
    return found;
  }
}

function decode(text: string, where: string): CachedAttachment | Error {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    return new Error(`cached result ${where} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || raw.kind !== KIND) return new Error(`cached result ${where} is not a ${KIND} record`);
  const str = (k: string): string => (typeof raw[k] === 'string' ? (raw[k] as string) : '');
  if (!str('containerId') || !str('ifName') || !str('networkName')) {
    return new Error(`cached result ${where} lacks containerId, ifName or networkName`);
  }
  const result = raw.result;
  if (typeof result !== 'object' || result === null || Array.isArray(result)) return new Error(`cached result ${where} has no result object`);
  return {
    network: str('networkName'),
    containerId: str('containerId'),
    ifName: str('ifName'),
    netns: str('netns'),
    cniArgs: Array.isArray(raw.cniArgs) ? (raw.cniArgs as Array<[string, string]>) : [],
    capabilityArgs: typeof raw.capabilityArgs === 'object' && raw.capabilityArgs !== null ? (raw.capabilityArgs as Record<string, unknown>) : {},
    config: Buffer.from(str('config'), 'base64'),
    result: result as Record<string, unknown>,
  };
}
