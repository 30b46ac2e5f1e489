// An esbuild plugin that defers loading of costly Node built-ins until first use.
//
// Measured in the compiled executable (Bun 1.4): `require("node:crypto")` alone costs ~2.2 ms,
// a third of a plugin's start-up, while most calls (VERSION, DEL of nothing, every error path)
// never hash anything. The bundle reads imports as properties at call time, so a stand-in
// module whose properties load the real one on first access keeps behaviour and moves the cost
// to the calls that need it. Its keys are the built-in's, listed here at build time, so that
// esbuild's interop (__toESM), which enumerates them at load, loads nothing.
import { createRequire } from 'node:module';

const LAZY = ['crypto', 'child_process'];
const NAMESPACE = 'cni-ts-lazy-builtin';
const require = createRequire(import.meta.url);

function lazyModuleSource(name) {
  const keys = JSON.stringify(Object.keys(require(`node:${name}`)));
  // Plain getters, not a Proxy: esbuild's interop copies every key of the module at each import
  // site, and proxy traps make that copy cost ~0.5 ms in the compiled executable.
  return `let real;
const load = () => (real ??= require(${JSON.stringify(`node:${name}`)}));
for (const key of ${keys}) Object.defineProperty(exports, key, { enumerable: true, get: () => load()[key] });
`;
}

export const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(build) {
    const filter = new RegExp(`^(node:)?(${LAZY.join('|')})$`);
    build.onResolve({ filter }, (args) => {
      const name = args.path.replace(/^node:/, '');
      // The stand-in's own require of the real module stays a plain external require.
      return args.namespace === NAMESPACE ? { path: `node:${name}`, external: true } : { path: name, namespace: NAMESPACE };
    });
    build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({ loader: 'js', contents: lazyModuleSource(args.path) }));
  },
};
