import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSchemas, schemaText } from './schemas.ts';

const SCHEMAS = join(import.meta.dirname, '../../../../schemas');

describe('schemas/', () => {
  it('holds exactly the schemas generated from the field definitions (run `npm run schemas` after changing a field)', () => {
    const generated = generateSchemas();
    expect(readdirSync(SCHEMAS).sort()).toEqual(Object.keys(generated).sort());
    for (const [name, schema] of Object.entries(generated)) expect(readFileSync(join(SCHEMAS, name), 'utf8'), name).toBe(schemaText(schema));
  });

  it('say what the parsers say about a key: a field change shows in the schema', () => {
    const bridge = generateSchemas()['bridge.schema.json']!;
    expect((bridge.properties as Record<string, unknown>).mtu).toEqual({ anyOf: [{ description: expect.any(String), type: 'integer', minimum: 0, maximum: 65535 }, { type: 'null' }] });
    expect(bridge.additionalProperties).toBe(false);
  });
});
