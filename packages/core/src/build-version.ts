/** Baked in by the build (tools/build/version.mjs, esbuild `define`); absent when run from source. */
declare const CNI_TS_BUILD_VERSION: string | undefined;

/**
 * The release this code was built as: package.json's version, plus `+<commit>` (and `.dirty`
 * when the checkout had uncommitted changes) when built from a git checkout, as semver build
 * metadata. Code run from source (unit tests) is no release: `0.0.0+source`.
 */
export const BUILD_VERSION: string = typeof CNI_TS_BUILD_VERSION === 'string' ? CNI_TS_BUILD_VERSION : '0.0.0+source';
