import { CniError, ErrorCode, type Plugin } from '@cni-ts/core';

const notYet = async (): Promise<never> => {
  throw new CniError(ErrorCode.UnsupportedField, 'the host-local plugin is not implemented in this build');
};

export const plugin: Plugin = { name: 'host-local', add: notYet, del: notYet, check: notYet, status: notYet, gc: notYet };
