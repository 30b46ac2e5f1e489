import type { Verb } from './context.ts';

/**
 * Which CNI_* variables each verb requires (SPEC §2 plus the Go skel's extra CNI_PATH checks),
 * the lowest cniVersion that allows the verb, and whether a CNI_NETNS equal to the plugin's own
 * namespace is refused (the verbs that change links inside it).
 */
export const VERB_RULES: Record<Exclude<Verb, 'VERSION'>, { required: string[]; minVersion: string; refuseOwnNetns: boolean }> = {
  ADD: { required: ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME', 'CNI_PATH'], minVersion: '0.1.0', refuseOwnNetns: true },
  DEL: { required: ['CNI_CONTAINERID', 'CNI_IFNAME', 'CNI_PATH'], minVersion: '0.1.0', refuseOwnNetns: true },
  CHECK: { required: ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME', 'CNI_PATH'], minVersion: '0.4.0', refuseOwnNetns: false },
  STATUS: { required: ['CNI_PATH'], minVersion: '1.1.0', refuseOwnNetns: false },
  GC: { required: ['CNI_PATH'], minVersion: '1.1.0', refuseOwnNetns: false },
};
