import { atLeast, convertResult, parseResult } from '@cni-ts/core';
import { buildPluginConfig } from '../conf/inject.ts';
import type { NetworkList, PluginConf } from '../conf/load.ts';
import type { AttachmentKey, CachedAttachment, ResultCache } from './cache.ts';
import { missingPluginFix } from './shipped.ts';
import { failure, PluginError, type ChainVerb, type PluginInvoker, type PluginOutput } from './invoke.ts';

/** What a runtime knows about one container interface (libcni's RuntimeConf). */
export interface Attachment {
  containerId: string;
  netns: string;
  ifName: string;
  cniArgs: Array<[string, string]>;
  capabilityArgs: Record<string, unknown>;
}

/**
 * Codes a plugin answers with when it refused its input (version, env, config): by the house
 * rule (parse and validate before any side effect) it made nothing.
 */
const REFUSED_INPUT = new Set([1, 2, 4, 6, 7]);

/** A chain ADD that failed, and what undoing it did. */
export class AddError extends Error {
  override readonly name = 'AddError';
  constructor(
    readonly addFailure: Error,
    readonly rollbackErrors: PluginError[],
    rolledBack: string[],
  ) {
    super(`${addFailure.message}${AddError.undoText(addFailure, rollbackErrors, rolledBack)}`);
  }

  /**
   * What the undo did. The failed plugin's own DEL refusing the same input it refused on ADD is
   * not a failed undo: nothing was made to undo.
   */
  private static undoText(failure: Error, errors: PluginError[], rolledBack: string[]): string {
    const refused = failure instanceof PluginError && failure.code !== undefined && REFUSED_INPUT.has(failure.code) ? failure.type : undefined;
    const real = errors.filter((e) => !(e.type === refused && e.code !== undefined && REFUSED_INPUT.has(e.code)));
    const others = rolledBack.filter((t) => t !== refused);
    if (real.length > 0) return `; undoing it with DEL failed too: ${real.map((e) => e.message).join('; ')}`;
    if (others.length === 0) return refused ? `; nothing was made ("${refused}" refused its input before changing anything)` : `; undone with DEL of ${rolledBack.join(', ')}`;
    return `; undone with DEL of ${others.join(', ')}`;
  }
}

/** What a GC did: the stale attachments it deleted and everything that failed. */
export interface GcReport {
  skipped?: string;
  deleted: AttachmentKey[];
  errors: Error[];
}

export interface ValidAttachment {
  containerID: string;
  ifname: string;
}

const key = (list: NetworkList, a: Pick<Attachment, 'containerId' | 'ifName'>): AttachmentKey => ({
  network: list.name,
  containerId: a.containerId,
  ifName: a.ifName,
});

/**
 * Runs a network list the way libcni does (cni-spec notes §1.6): plugins in order for ADD and
 * CHECK, in reverse for DEL, the result of one plugin as the next one's prevResult, the final
 * result cached for CHECK, DEL and GC.
 */
export class ChainRunner {
  constructor(
    private readonly invoker: PluginInvoker,
    private readonly cache: ResultCache,
    private readonly path: string[],
    private readonly fixFor: (type: string, path: readonly string[]) => string = missingPluginFix,
  ) {}

  /**
   * ADD every plugin; returns the final result in the list's version. When a plugin fails (or the
   * result cannot be cached), the plugins run so far, the failed one included since it may have
   * half-done its work, get a DEL in reverse order: a failed ADD leaves nothing behind.
   */
  async add(list: NetworkList, att: Attachment): Promise<Record<string, unknown>> {
    this.locateAll(list);
    let prev: Record<string, unknown> | undefined;
    let started = 0;
    try {
      for (const plugin of list.plugins) {
        started++;
        prev = this.resultOf(list, plugin, await this.call(list, plugin, 'ADD', att, prev));
      }
      this.cache.write({ ...key(list, att), ...att, config: list.bytes, result: prev! });
    } catch (e) {
      const failure = e instanceof PluginError ? e : new Error(`the chain succeeded but its result could not be cached: ${(e as Error).message}`);
      throw await this.undoAdd(list, att, list.plugins.slice(0, started), prev, failure);
    }
    return prev!;
  }

  private async undoAdd(list: NetworkList, att: Attachment, started: PluginConf[], prev: Record<string, unknown> | undefined, failure: Error): Promise<AddError> {
    const reversed = [...started].reverse();
    const errors: PluginError[] = [];
    for (const plugin of reversed) {
      try {
        await this.call(list, plugin, 'DEL', att, atLeast(list.cniVersion, '0.4.0') ? prev : undefined);
      } catch (e) {
        errors.push(asPluginError(e, plugin, 'DEL'));
      }
    }
    return new AddError(failure, errors, reversed.map((p) => p.type));
  }

  /** The cached ADD of an attachment, when there is a usable one. */
  cached(list: NetworkList, att: Pick<Attachment, 'containerId' | 'ifName'>): CachedAttachment | undefined {
    const c = this.cache.read(key(list, att));
    return c instanceof Error ? undefined : c;
  }

  /** CHECK every plugin against the cached ADD result; skipped when the list sets disableCheck. */
  async check(list: NetworkList, att: Attachment): Promise<'checked' | 'disabled'> {
    if (!atLeast(list.cniVersion, '0.4.0')) {
      throw new Error(`network "${list.name}" is version ${list.cniVersion}, which does not support the CHECK command (needs 0.4.0 or later)`);
    }
    if (list.disableCheck) return 'disabled';
    this.locateAll(list);
    const cached = this.cache.read(key(list, att));
    if (cached instanceof Error) throw cached;
    if (!cached) {
      throw new Error(`no cached result for ${att.containerId}/${att.ifName} on network "${list.name}" in ${this.cache.dir}: was it added with this cache dir?`);
    }
    const prev = convertResult(parseResult(cached.result, resultVersion(cached.result, list)), list.cniVersion);
    for (const plugin of list.plugins) await this.call(list, plugin, 'CHECK', att, prev);
    return 'checked';
  }

  /**
   * DEL every plugin in reverse order with the cached result as prevResult (0.4.0+). A cache
   * file that cannot be read is dropped, not an error: DEL must be able to clean up anyway.
   * The first failure stops the DEL and keeps the cache, so that a retry has it again.
   */
  async del(list: NetworkList, att: Attachment, warn: (m: string) => void = () => undefined): Promise<void> {
    const k = key(list, att);
    let prev: Record<string, unknown> | undefined;
    if (atLeast(list.cniVersion, '0.4.0')) {
      const cached = this.cache.read(k);
      if (cached === undefined) {
        warn(
          `no cached result for ${att.containerId}/${att.ifName} on network "${list.name}" in ${this.cache.dir}: ` +
            'DEL runs without prevResult, so plugins clean up only by name (was it added with another --container-id, --ifname or --cache-dir?)',
        );
      } else if (cached instanceof Error) {
        warn(`ignoring unusable cache: ${cached.message}`);
        this.cache.remove(k);
      } else if (cached) {
        try {
          prev = convertResult(parseResult(cached.result, resultVersion(cached.result, list)), list.cniVersion);
        } catch (e) {
          warn(`ignoring cached result that cannot be read as version ${list.cniVersion}: ${(e as Error).message}`);
        }
      }
    }
    for (const plugin of [...list.plugins].reverse()) await this.call(list, plugin, 'DEL', att, prev);
    this.cache.remove(k);
  }

  /**
   * libcni v1.2's GC: DEL every cached attachment of this network that is not valid (with the
   * netns and args it was added with), then, for 1.1.0+, send GC with the valid set to each
   * plugin. Keeps going on errors and reports them all.
   */
  async gc(list: NetworkList, valid: ValidAttachment[]): Promise<GcReport> {
    if (list.disableGC) return { skipped: 'the list sets disableGC', deleted: [], errors: [] };
    const report: GcReport = { deleted: [], errors: [] };
    const keep = new Set(valid.map((v) => `${v.containerID}\0${v.ifname}`));
    for (const cached of this.cache.list(list.name)) {
      if (keep.has(`${cached.containerId}\0${cached.ifName}`)) continue;
      try {
        await this.del(list, cached);
        report.deleted.push({ network: list.name, containerId: cached.containerId, ifName: cached.ifName });
      } catch (e) {
        report.errors.push(new Error(`stale attachment ${cached.containerId}/${cached.ifName}: ${(e as Error).message}`));
      }
    }
    if (atLeast(list.cniVersion, '1.1.0')) {
      for (const plugin of list.plugins) {
        try {
          await this.callGlobal(list, plugin, 'GC', { 'cni.dev/valid-attachments': valid });
        } catch (e) {
          report.errors.push(e as Error);
        }
      }
    }
    return report;
  }

  /** STATUS of each plugin, stopping at the first that is not ready; nothing below 1.1.0. */
  async status(list: NetworkList): Promise<'ready' | 'unsupported'> {
    if (!atLeast(list.cniVersion, '1.1.0')) return 'unsupported';
    for (const plugin of list.plugins) await this.callGlobal(list, plugin, 'STATUS', {});
    return 'ready';
  }

  /** Fail before any side effect when a plugin of the list is not installed. */
  private locateAll(list: NetworkList): void {
    const missing = list.plugins.map((p) => p.type).filter((type) => {
      try {
        this.invoker.locate(type, this.path);
        return false;
      } catch {
        return true;
      }
    });
    if (missing.length > 0) {
      const fixes = missing.map((t) => `"${t}": ${this.fixFor(t, this.path)}`).join('; ');
      throw new Error(`plugin${missing.length > 1 ? 's' : ''} ${missing.map((t) => `"${t}"`).join(', ')} not found in CNI_PATH ${this.path.join(':')} (nothing was run). ${fixes}`);
    }
  }

  private async call(
    list: NetworkList,
    plugin: PluginConf,
    verb: 'ADD' | 'CHECK' | 'DEL',
    att: Attachment,
    prevResult: Record<string, unknown> | undefined,
  ): Promise<PluginOutput> {
    const config = buildPluginConfig(plugin, {
      name: list.name,
      cniVersion: list.cniVersion,
      capabilityArgs: att.capabilityArgs,
      ...(prevResult && { prevResult }),
    });
    const env = {
      command: verb,
      containerId: att.containerId,
      netns: att.netns,
      ifName: att.ifName,
      args: att.cniArgs.map(([k, v]) => `${k}=${v}`).join(';'),
      path: this.path,
    };
    return this.exec(plugin.type, verb, env, config);
  }

  /** GC and STATUS concern the whole network, not one container: only CNI_PATH is set. */
  private callGlobal(list: NetworkList, plugin: PluginConf, verb: 'GC' | 'STATUS', extra: Record<string, unknown>): Promise<PluginOutput> {
    const config = { ...buildPluginConfig(plugin, { name: list.name, cniVersion: list.cniVersion, capabilityArgs: {} }), ...extra };
    return this.exec(plugin.type, verb, { command: verb, path: this.path }, config);
  }

  private async exec(type: string, verb: ChainVerb, env: Parameters<PluginInvoker['invoke']>[1], config: Record<string, unknown>): Promise<PluginOutput> {
    let out: PluginOutput;
    try {
      out = await this.invoker.invoke(type, env, JSON.stringify(config));
    } catch (e) {
      throw asPluginError(e, { type }, verb);
    }
    if (out.exitCode !== 0) throw failure(type, verb, out);
    return out;
  }

  /** A plugin's ADD output, checked and brought to the list's version for the next plugin. */
  private resultOf(list: NetworkList, plugin: PluginConf, out: PluginOutput): Record<string, unknown> {
    try {
      const raw = JSON.parse(out.stdout) as Record<string, unknown>;
      return convertResult(parseResult(raw, resultVersion(raw, list)), list.cniVersion);
    } catch (e) {
      throw new PluginError(plugin.type, 'ADD', undefined, `printed a result that cannot be used: ${(e as Error).message}`);
    }
  }
}

/** A result says its own version; without one it is in the config's (libcni's rule). */
function resultVersion(raw: Record<string, unknown>, list: NetworkList): string {
  return typeof raw.cniVersion === 'string' && raw.cniVersion ? raw.cniVersion : list.cniVersion;
}

function asPluginError(e: unknown, plugin: { type: string }, verb: ChainVerb): PluginError {
  if (e instanceof PluginError) return e;
  const code = typeof (e as { code?: unknown }).code === 'number' ? ((e as { code: number }).code) : undefined;
  return new PluginError(plugin.type, verb, code, e instanceof Error ? e.message : String(e));
}
