// `npm run schemas`: write schemas/*.schema.json from the plugins' field definitions.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSchemas, schemaText } from './schemas.ts';

const dir = join(import.meta.dirname, '../../../../schemas');
for (const [name, schema] of Object.entries(generateSchemas())) writeFileSync(join(dir, name), schemaText(schema));
