import type { Verb } from './context.ts';

/**
 * Which CNI_* variables each verb requires (SPEC §2 plus the Go skel's extra CNI_PATH checks),
 * and the lowest cniVersion that allows the verb.
 */
export const VERB_RULES: Record<Exclude<Verb, 'VERSION'>, { required: string[]; minVersion: string }> = {
  ADD: { required: ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME', 'CNI_PATH'], minVersion: '0.1.0' },
  DEL: { required: ['CNI_CONTAINERID', 'CNI_IFNAME', 'CNI_PATH'], minVersion: '0.1.0' },
  CHECK: { required: ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME', 'CNI_PATH'], minVersion: '0.4.0' },
  STATUS: { required: ['CNI_PATH'], minVersion: '1.1.0' },
  GC: { required: ['CNI_PATH'], minVersion: '1.1.0' },
};
