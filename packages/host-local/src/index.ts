import type { Plugin } from '@cni-ts/core';
import { add } from './add.ts';
import { check } from './check.ts';
import { del, gc } from './release.ts';
import { status } from './status.ts';

/** host-local IPAM: addresses from range sets, state in files compatible with the reference plugin. */
export const plugin: Plugin = { name: 'host-local', add, del, check, status, gc };
export { previousBootReservations, type PreviousBootReservation } from './previous-boot.ts';
