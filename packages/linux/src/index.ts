export * from './run.ts';
export * from './fs.ts';
export * from './netns.ts';
