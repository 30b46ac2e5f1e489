import { CniError, delegate, ErrorCode, type CallContext, type Plugin, type Result } from '@cni-ts/core';
import { parseFlannelConf, type FlannelConf } from './config.ts';
import { buildDelegateConf, canonicalJson } from './delegate-conf.ts';
import { SavedConfStore } from './saved-conf.ts';
import { loadSubnetEnv } from './subnet-env.ts';

/** The delegate config for the node as subnet.env describes it now. */
function currentDelegateConf(conf: FlannelConf): Record<string, unknown> {
  return buildDelegateConf(conf, loadSubnetEnv(conf.subnetFile));
}

const delegateType = (d: Record<string, unknown>): string => d.type as string;

/**
 * The delegate makes the pod's interface CNI_IFNAME; `lo` is every namespace's loopback, which
 * it can neither create nor remove. Refused before anything is saved or reserved.
 */
const LOOPBACK = 'lo';
const refuseLoopback = (ctx: CallContext): void => {
  if (ctx.ifName === LOOPBACK) {
    throw new CniError(ErrorCode.InvalidEnvironment, `CNI_IFNAME "lo" is the namespace's loopback interface; flannel attaches a new interface (e.g. eth0)`);
  }
};

async function add(ctx: CallContext): Promise<Result> {
  refuseLoopback(ctx);
  const conf = parseFlannelConf(ctx.config);
  const d = currentDelegateConf(conf);
  const store = new SavedConfStore(conf.dataDir, ctx.log);
  const saved = await store.save(ctx.containerId, ctx.ifName, canonicalJson(d));
  try {
    const result = await delegate(ctx, delegateType(d), 'ADD', d);
    if (!result) throw new CniError(ErrorCode.Internal, `delegate "${delegateType(d)}" returned no result`);
    return result;
  } catch (err) {
    // SPEC: a failed delegate ADD is followed by its DEL; then nothing of this ADD remains.
    await delegate(ctx, delegateType(d), 'DEL', d).catch((e: unknown) => ctx.log(`flannel: cleanup DEL after failed ADD: ${CniError.from(e).message}`));
    store.remove([saved]);
    throw err;
  }
}

/**
 * Replays the DEL with the config saved at ADD. The file goes only once the delegate's DEL
 * succeeded, so a retried DEL still releases the address. A corrupt file (or a directory or a
 * symlink at its name) is replaced by the config built from the current subnet.env: the
 * delegate can still remove the veth and free the address by container ID. Temp files of an
 * ADD killed while saving go too.
 */
async function del(ctx: CallContext): Promise<void> {
  const conf = parseFlannelConf(ctx.config);
  if (ctx.ifName === LOOPBACK) return; // ADD refuses it: nothing of ours is there to undo
  const store = new SavedConfStore(conf.dataDir, ctx.log);
  await store.removeTemps(ctx.containerId, ctx.ifName);
  const found = store.load(ctx.containerId, ctx.ifName);
  if (found.state === 'missing') return;
  let d: Record<string, unknown>;
  if (found.state === 'ok') {
    d = found.conf;
  } else {
    ctx.log(`flannel: ${found.reason}; deleting with the config built from ${conf.subnetFile}`);
    d = currentDelegateConf(conf);
  }
  await delegate(ctx, delegateType(d), 'DEL', d);
  store.remove(found.files);
}

async function check(ctx: CallContext): Promise<void> {
  refuseLoopback(ctx);
  const conf = parseFlannelConf(ctx.config);
  const found = new SavedConfStore(conf.dataDir, ctx.log).load(ctx.containerId, ctx.ifName);
  if (found.state !== 'ok') {
    const why = found.state === 'missing' ? 'no saved delegate config' : found.reason;
    throw new CniError(ErrorCode.UnknownContainer, `flannel: container ${ctx.containerId} interface ${ctx.ifName}: ${why}`);
  }
  const d = { ...found.conf, cniVersion: ctx.version, ...(ctx.config.prevResult !== undefined && { prevResult: ctx.config.prevResult }) };
  await delegate(ctx, delegateType(d), 'CHECK', d);
}

/** Not ready until flanneld wrote subnet.env (code 50); otherwise whatever the delegate says. */
async function status(ctx: CallContext): Promise<void> {
  const conf = parseFlannelConf(ctx.config);
  let d: Record<string, unknown>;
  try {
    d = currentDelegateConf(conf);
  } catch (err) {
    const e = CniError.from(err);
    throw new CniError(ErrorCode.PluginNotAvailable, e.message);
  }
  await delegate(ctx, delegateType(d), 'STATUS', { ...d, cniVersion: ctx.version });
}

/** Drops saved configs of attachments that are gone, then lets the delegate collect its own. */
async function gc(ctx: CallContext): Promise<void> {
  const conf = parseFlannelConf(ctx.config);
  const valid = ctx.validAttachments ?? [];
  const removed = await new SavedConfStore(conf.dataDir, ctx.log).sweep(valid);
  if (removed.length > 0) ctx.log(`flannel: GC removed saved configs ${removed.join(', ')}`);
  const d = currentDelegateConf(conf);
  await delegate(ctx, delegateType(d), 'GC', { ...d, cniVersion: ctx.version, 'cni.dev/valid-attachments': valid });
}

export const plugin: Plugin = { name: 'flannel', entersNetns: true, add, del, check, status, gc };
