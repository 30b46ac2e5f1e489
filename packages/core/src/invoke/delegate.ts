import { CniError, ErrorCode } from '../spec/errors.ts';
import type { Result } from '../spec/types.ts';
import type { CallContext, CallInput, CallOutput, Plugin, Verb } from '../skel/context.ts';
import { dispatch } from '../skel/dispatch.ts';
import { parsePrintedResult } from '../version/convert.ts';
import { runProcess, SpawnError } from '../process/spawn.ts';
import { findPlugin, isSameFile } from './find.ts';

/**
 * Plugins linked into this executable, by name. When the delegate found in CNI_PATH is this very
 * file (a hard link of the multi-call executable), it runs in-process: no second process start.
 */
export type PluginLoader = () => Promise<Plugin>;
const inProcess = new Map<string, PluginLoader>();
let selfPath: string | undefined;

/** Called by the multi-call entry: these plugins live in `executablePath`, loaded on first use. */
export function registerInProcess(executablePath: string, loaders: Readonly<Record<string, PluginLoader>>): void {
  selfPath = executablePath;
  for (const [name, load] of Object.entries(loaders)) inProcess.set(name, load);
}

export type DelegateVerb = Exclude<Verb, 'VERSION'>;

/**
 * Run plugin `type` for `command` with the caller's environment and `config` on stdin (SPEC §4:
 * the delegate gets the full config and the same environment). Returns the delegate's result,
 * read into the 1.1.0 shape, for ADD; nothing for the other verbs. A delegate's error JSON
 * becomes a CniError with the same code and message.
 */
export async function delegate(
  ctx: Pick<CallContext, 'env' | 'path' | 'log'>,
  type: string,
  command: DelegateVerb,
  config: Record<string, unknown>,
): Promise<Result | undefined> {
  const found = findPlugin(type, ctx.path);
  const input: CallInput = { env: { ...ctx.env, CNI_COMMAND: command }, stdin: JSON.stringify(config) };
  const load = inProcess.get(type);
  const out = load && selfPath && isSameFile(found, selfPath) ? await dispatch(await load(), input) : await execPlugin(found, input);
  // An in-process delegate's diagnostics join ours; an exec'd one wrote to stderr itself.
  if (out.stderr) ctx.log(out.stderr);
  if (out.exitCode !== 0) throw delegateError(type, out);
  if (command !== 'ADD') return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(out.stdout);
  } catch {
    throw new CniError(ErrorCode.DecodeFailure, `delegate "${type}" printed a result that is not JSON: ${JSON.stringify(out.stdout.slice(0, 200))}`);
  }
  const configVersion = typeof config.cniVersion === 'string' && config.cniVersion ? config.cniVersion : '0.1.0';
  return parsePrintedResult(raw, configVersion, `delegate "${type}"`);
}

function delegateError(type: string, out: CallOutput): CniError {
  try {
    const e = JSON.parse(out.stdout) as { code?: unknown; msg?: unknown; details?: unknown };
    if (typeof e.code === 'number' && typeof e.msg === 'string') {
      return new CniError(e.code, e.msg, typeof e.details === 'string' ? e.details : '');
    }
  } catch {
    // fall through: not an error JSON
  }
  const text = out.stdout.trim().slice(0, 300);
  return new CniError(ErrorCode.Internal, `delegate "${type}" failed with exit code ${out.exitCode}${text ? `: ${text}` : ' and printed no error'}`);
}

/**
 * Exec a delegate. Its stderr goes straight to ours (SPEC §4: passed through, as it is written),
 * so the returned output carries stdout only.
 */
async function execPlugin(file: string, input: CallInput): Promise<CallOutput> {
  try {
    const r = await runProcess([file], input.stdin, { env: input.env, stderr: 'inherit' });
    return { stdout: r.stdout, stderr: '', exitCode: r.code };
  } catch (err) {
    if (err instanceof SpawnError) throw new CniError(ErrorCode.IoFailure, `cannot run plugin ${err.message}`);
    throw err;
  }
}
