/** A .proto file imported `with { type: 'text' }`: its text (esbuild's text loader; vite-proto-text.ts under vitest). */
declare module '*.proto' {
  const text: string;
  export default text;
}
