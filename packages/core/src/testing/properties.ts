import fc from 'fast-check';
import { dispatch } from '../skel/dispatch.ts';
import type { CallContext, CallOutput, Plugin } from '../skel/context.ts';
import { parseStdinConfig } from '../skel/stdin-config.ts';
import { CniError, ErrorCode } from '../spec/errors.ts';
import type { NetConf } from '../spec/types.ts';

/**
 * Property-based checks shared by every config parser and the dispatcher: whatever JSON and
 * environment come in, the answer is a config or exactly one CNI error with a code the spec
 * defines (never 999, never an exception of another kind, never a stack trace).
 */
export const SPEC_CODES: ReadonlySet<number> = new Set(Object.values(ErrorCode).filter((c) => c !== ErrorCode.Internal));

/** Values that break parsers: wrong types, bounds, empty and huge strings, text that would end a script line. */
const NASTY: unknown[] = [
  null, true, false, 0, -1, 1.5, 65536, 4294967296, Number.MAX_SAFE_INTEGER, -0, '', ' ', 'x'.repeat(5000),
  '\n-A INPUT -j ACCEPT', '"', "'", '#', ';', '-j', 'ACCEPT', '../..', '/', '10.0.0.0/33', '0.0.0.0/0', '::/0', '10.1.2.3',
  'fd00::1/64', '999.1.1.1', 'eth0', 'bridge', 'iptables', 'nftables', 'tcp', [], [{}], [null], {}, { type: '' }, { '': 1 },
  { __proto__: null }, ['-j', 'ACCEPT'], [{ subnet: '10.0.0.0/24' }], [[{ subnet: '10.0.0.0/24' }]],
];

export const anyJson: fc.Arbitrary<unknown> = fc.oneof(fc.constantFrom(...NASTY), fc.jsonValue({ maxDepth: 3 }));

/** Every path (object keys and array indices) inside a JSON value. */
function paths(value: unknown, at: Array<string | number> = []): Array<Array<string | number>> {
  if (value === null || typeof value !== 'object') return [at];
  const children = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [at, ...children.flatMap(([k, v]) => paths(v, [...at, k]))];
}

function mutate(root: unknown, path: Array<string | number>, op: 'delete' | 'set', value: unknown): unknown {
  if (path.length === 0) return op === 'set' ? value : root;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (op === 'delete') {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else node[last] = value;
  return copy;
}

/**
 * Configs near a valid one, where parsers have most to get wrong: one to three keys anywhere in
 * it deleted or replaced by nasty or arbitrary JSON, plus sometimes one of `extraKeys` added.
 */
export function nearConfig(valid: Record<string, unknown>, extraKeys: readonly string[] = []): fc.Arbitrary<Record<string, unknown>> {
  const all = paths(valid).filter((p) => p.length > 0);
  const edit = fc.record({ path: fc.constantFrom(...all), op: fc.constantFrom('delete' as const, 'set' as const, 'set' as const), value: anyJson });
  const extra = extraKeys.length > 0 ? fc.option(fc.record({ key: fc.constantFrom(...extraKeys), value: anyJson })) : fc.constant(null);
  return fc.tuple(fc.array(edit, { minLength: 1, maxLength: 3 }), extra).map(([edits, add]) => {
    let conf: unknown = valid;
    for (const e of edits) {
      try {
        conf = mutate(conf, e.path, e.op, e.value);
      } catch {
        // an earlier edit removed this path: skip it
      }
    }
    const out = (conf !== null && typeof conf === 'object' && !Array.isArray(conf) ? conf : {}) as Record<string, unknown>;
    if (add) out[add.key] = add.value;
    return out;
  });
}

/** Throws unless `parse` returns, or throws one CniError with a spec code and a message. */
export function expectCleanRefusal(parse: () => unknown): void {
  try {
    parse();
  } catch (err) {
    if (!(err instanceof CniError)) throw new Error(`threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}, not a CniError`);
    if (!SPEC_CODES.has(err.code)) throw new Error(`code ${err.code} is not a spec code: ${err.message}`);
    if (!err.message) throw new Error(`code ${err.code} without a message`);
  }
}

/**
 * Throws unless a config, as the dispatcher reads it from stdin and hands it to the plugin
 * (`parseStdinConfig`, which checks the keys every plugin relies on), then `parse`, gives a
 * config or one clean refusal.
 */
export function expectCleanParse(conf: unknown, parse: (conf: NetConf) => unknown): void {
  expectCleanRefusal(() => parse(parseStdinConfig(JSON.stringify(conf))));
}

/** Throws unless a dispatcher answer is success, or one error object with a spec code, and no stack trace anywhere. */
export function expectCleanAnswer(out: CallOutput): void {
  if (/\n\s+at .+:\d+/.test(out.stderr)) throw new Error(`stack trace on stderr: ${out.stderr}`);
  if (out.exitCode === 0) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(out.stdout);
  } catch {
    throw new Error(`exit ${out.exitCode} with stdout that is not one JSON value: ${out.stdout}`);
  }
  const e = parsed as { code?: unknown; msg?: unknown };
  if (typeof e !== 'object' || e === null || Array.isArray(e)) throw new Error(`error output is not an object: ${out.stdout}`);
  if (typeof e.code !== 'number' || !SPEC_CODES.has(e.code)) throw new Error(`error code is not a spec code: ${out.stdout}`);
  if (typeof e.msg !== 'string' || !e.msg) throw new Error(`error without a message: ${out.stdout}`);
}

/** A plugin whose every verb only parses (`parse`), as the real verbs do before any side effect. */
export function parsingPlugin(name: string, parse: (ctx: CallContext) => void): Plugin {
  const verb = async (ctx: CallContext): Promise<void> => parse(ctx);
  return { name, add: async (ctx) => (parse(ctx), { cniVersion: '1.1.0' }), del: verb, check: verb, status: verb, gc: verb };
}

/** Environments a runtime (or anything else) may pass: every verb, good and bad values of each variable. */
export const anyEnv: fc.Arbitrary<Record<string, string>> = fc
  .record(
    {
      CNI_COMMAND: fc.constantFrom('ADD', 'DEL', 'CHECK', 'STATUS', 'GC', 'ADD', 'DEL', 'VERSION', 'add', 'NOPE'),
      CNI_CONTAINERID: fc.oneof(fc.constantFrom('c1', 'abc-123.x_y', '', '-x', 'a/b', '..', 'x'.repeat(300)), fc.string()),
      CNI_NETNS: fc.constantFrom('', '/run/netns/ctsfh-none', '/proc/self/ns/net', '/dev/null', 'relative', '/nonexistent/x'),
      CNI_IFNAME: fc.oneof(fc.constantFrom('eth0', 'eth1', '', 'lo', 'a'.repeat(16), 'a/b', 'a b', '..'), fc.string({ maxLength: 20 })),
      CNI_PATH: fc.constantFrom('/nonexistent', '', '/usr/lib/cni-none:/nonexistent'),
      CNI_ARGS: fc.oneof(fc.constantFrom(';;;', 'IgnoreUnknown=1', 'IP=10.0.0.5', 'IP=10.0.0.5;IP=10.0.0.6', 'IP=nope', 'MAC=00:00:00:00:00:00', 'K8S_POD_NAME=x;IgnoreUnknown=true', '=', 'a=b=c'), fc.string()),
    },
    { requiredKeys: ['CNI_COMMAND'] },
  );

/** Stdin a plugin may get: configs near a valid one (mostly), or any text at all. */
export function anyStdin(valid: Record<string, unknown>, extraKeys: readonly string[] = []): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 8, arbitrary: nearConfig(valid, [...extraKeys, 'prevResult', 'runtimeConfig', 'args', 'cniVersion']).map((c) => JSON.stringify(c)) },
    { weight: 1, arbitrary: fc.string() },
    { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
  );
}

/**
 * The dispatcher's property for one plugin: for `runs` generated calls, one clean answer each and
 * never a rejected promise. The plugin's own netns check answers "not our namespace".
 */
export async function checkDispatch(plugin: Plugin, valid: Record<string, unknown>, extraKeys: readonly string[] = [], runs = 300): Promise<void> {
  await fc.assert(
    fc.asyncProperty(anyEnv, anyStdin(valid, extraKeys), async (env, stdin) => {
      expectCleanAnswer(await dispatch(plugin, { env, stdin }, { isOwnNetns: () => false }));
    }),
    { numRuns: runs, seed: 13 },
  );
}
