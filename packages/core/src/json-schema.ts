import type { Field, Fields } from './fields.ts';

/** A JSON Schema (draft-07) document or sub-schema. */
export type JsonSchema = Record<string, unknown>;

/** A regex source matching `key` in any case ("subnet" -> "^[sS][uU][bB][nN][eE][tT]$"). */
function anyCasePattern(key: string): string {
  const chars = [...key].map((c) => (c.toLowerCase() !== c.toUpperCase() ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')));
  return `^${chars.join('')}$`;
}

/** The schema of one field, as strict as the parser's field check. */
export function fieldSchema(f: Field): JsonSchema {
  const doc = { description: f.doc };
  switch (f.kind) {
    case 'boolean':
      return f.orString ? { ...doc, oneOf: [{ type: 'boolean' }, { enum: ['true', 'false'] }] } : { ...doc, type: 'boolean' };
    case 'integer':
      return { ...doc, type: 'integer', minimum: f.min, maximum: f.max };
    case 'string':
      return {
        ...doc,
        type: 'string',
        ...(f.enum && { enum: [...f.enum] }),
        ...(f.pattern && { pattern: f.pattern.source }),
        ...(f.minLength !== undefined && { minLength: f.minLength }),
        ...(f.maxLength !== undefined && { maxLength: f.maxLength }),
        ...(f.reserved && { not: { enum: [...f.reserved] } }),
      };
    case 'list':
      return { ...doc, type: 'array', items: fieldSchema(f.items), maxItems: f.maxItems, ...(f.minItems !== undefined && { minItems: f.minItems }) };
    case 'object':
      return objectSchema(f.fields, { doc: f.doc, anyCase: f.anyCase, open: f.open, required: f.required });
    case 'any':
      return doc;
  }
}

/**
 * An object of `fields`. A closed object refuses other keys (the parser reports them as unknown);
 * an any-case object also takes each key in other cases, as the parser does. `null` stands for
 * an absent value, as Go's decoder reads it.
 */
export function objectSchema(fields: Fields, o: { doc?: string; anyCase?: boolean; open?: boolean; required?: readonly string[] } = {}): JsonSchema {
  const properties: JsonSchema = {};
  const patternProperties: JsonSchema = {};
  for (const [key, f] of Object.entries(fields)) {
    properties[key] = o.required?.includes(key) ? fieldSchema(f) : { anyOf: [fieldSchema(f), { type: 'null' }] };
    if (o.anyCase && key.toLowerCase() !== key.toUpperCase()) patternProperties[anyCasePattern(key)] = properties[key];
  }
  return {
    ...(o.doc && { description: o.doc }),
    type: 'object',
    properties,
    ...(Object.keys(patternProperties).length > 0 && { patternProperties }),
    ...(o.required && o.required.length > 0 && (o.anyCase ? { allOf: o.required.map(presentInAnyCase) } : { required: [...o.required] })),
    ...(!o.open && { additionalProperties: false }),
  };
}

/** Some key spells `key` in any case: "not every key fails the pattern" (draft-07 has no better word). */
const presentInAnyCase = (key: string): JsonSchema => ({ not: { propertyNames: { not: { pattern: anyCasePattern(key) } } } });
