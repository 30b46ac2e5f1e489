import { SpawnRunner } from '@cni-ts/linux';
import { procFiles } from './localnet.ts';
import { createPortmap } from './plugin.ts';

export { createPortmap, type PortmapDeps } from './plugin.ts';
export const plugin = createPortmap({ runner: new SpawnRunner(), files: procFiles });
