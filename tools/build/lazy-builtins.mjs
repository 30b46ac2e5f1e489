// An esbuild plugin that defers loading of costly Node built-ins until first use.
//
// Measured in the compiled executable (Bun 1.4): `require("node:crypto")` alone costs ~2.2 ms,
// a third of a plugin's start-up, while most calls (VERSION, DEL of nothing, every error path)
// never hash anything. The bundle reads imports as properties at call time, so a proxy that
// loads the module on its first property access keeps behaviour and moves the cost to the calls
// that need it. esbuild's ESM interop (__toESM) enumerates the module's keys when a module is
// initialised: the proxy answers that from the key list taken here at build time, without
// loading anything.
import { createRequire } from 'node:module';

const LAZY = ['crypto'];
const NAMESPACE = 'cni-ts-lazy-builtin';
const require = createRequire(import.meta.url);

function proxySource(name) {
  const keys = JSON.stringify(Object.keys(require(`node:${name}`)));
  return `let real;
const load = () => (real ??= require(${JSON.stringify(`node:${name}`)}));
const keys = ${keys};
module.exports = new Proxy({}, {
  // esbuild's interop asks every CommonJS module for __esModule; a built-in never is one.
  get: (_, key) => (key === '__esModule' ? undefined : load()[key]),
  has: (_, key) => keys.includes(key) || key in load(),
  ownKeys: () => keys,
  getOwnPropertyDescriptor: (_, key) =>
    keys.includes(key) ? { configurable: true, enumerable: true, get: () => load()[key] } : undefined,
});
`;
}

export const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(build) {
    const filter = new RegExp(`^(node:)?(${LAZY.join('|')})$`);
    build.onResolve({ filter }, (args) => {
      const name = args.path.replace(/^node:/, '');
      // The proxy's own require of the real module stays a plain external require.
      return args.namespace === NAMESPACE ? { path: `node:${name}`, external: true } : { path: name, namespace: NAMESPACE };
    });
    build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({ loader: 'js', contents: proxySource(args.path) }));
  },
};
