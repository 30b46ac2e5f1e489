export async function demoCommand(): Promise<number> {
  throw new Error('demo: not written yet');
}
