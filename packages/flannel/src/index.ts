export { plugin } from './plugin.ts';
export { parseSubnetEnv, loadSubnetEnv, type SubnetEnv } from './subnet-env.ts';
export { buildDelegateConf, canonicalJson } from './delegate-conf.ts';
