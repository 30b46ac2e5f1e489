import { CniError, ErrorCode, type Plugin } from '@cni-ts/core';

const notYet = async (): Promise<never> => {
  throw new CniError(ErrorCode.UnsupportedField, 'the portmap plugin is not implemented in this build');
};

export const plugin: Plugin = { name: 'portmap', add: notYet, del: notYet, check: notYet, status: notYet, gc: notYet };
