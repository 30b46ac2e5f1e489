import { CniError, ErrorCode, type Plugin } from '@cni-ts/core';

const notYet = async (): Promise<never> => {
  throw new CniError(ErrorCode.UnsupportedField, 'the flannel plugin is not implemented in this build');
};

export const plugin: Plugin = { name: 'flannel', add: notYet, del: notYet, check: notYet, status: notYet, gc: notYet };
