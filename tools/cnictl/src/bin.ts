import { main } from './index.ts';

void main(process.argv.slice(2)).then((code) => process.exit(code));
