import { runPluginProcess } from '@cni-ts/core';
import { plugin } from './index.ts';

void runPluginProcess(plugin);
