import { invalidConfig } from './spec/errors.ts';
import type { NetConf } from './spec/types.ts';

/**
 * Declarative config fields: one definition per key, read by the plugin's parser (types, ranges,
 * list sizes, key names) and turned into the JSON Schemas in schemas/ by the schema generator.
 * What a field cannot say (overlapping ranges, host bits, one key excluding another) stays in
 * the parser's own code after the fields are read.
 */
export type Field = BooleanField | IntegerField | StringField | ListField | ObjectField | OpenField;

interface Doc {
  /** One sentence for the schema (editors show it on hover). */
  doc: string;
}
export interface BooleanField extends Doc {
  kind: 'boolean';
  /** Also accept the strings "true" and "false" (the reference documents them for some keys). */
  orString?: boolean;
}
export interface IntegerField extends Doc {
  kind: 'integer';
  min: number;
  max: number;
}
export interface StringField extends Doc {
  kind: 'string';
  enum?: readonly string[];
  /** An anchored pattern; its source goes into the schema as is. */
  pattern?: RegExp;
  /** What the pattern means, for messages ("an iptables chain name"). */
  patternName?: string;
  minLength?: number;
  maxLength?: number;
  /** Values the pattern allows but the field does not (e.g. iptables target names for a chain). */
  reserved?: readonly string[];
}
export interface ListField extends Doc {
  kind: 'list';
  items: Field;
  /** A limit on size: absurd inputs are refused before any work is spent on them. */
  maxItems: number;
  minItems?: number;
}
export interface ObjectField extends Doc {
  kind: 'object';
  fields: Fields;
  /** Keys are matched in any case, as Go's encoding/json does (containerd sends `HostPort`). */
  anyCase?: boolean;
  /** Keys not listed are fine (and not reported): the object is passed on to someone else. */
  open?: boolean;
  required?: readonly string[];
}
/** Any JSON value: passed through untouched (e.g. a delegate's own keys). */
export interface OpenField extends Doc {
  kind: 'any';
}
export type Fields = Readonly<Record<string, Field>>;

export type ValueOf<F extends Field> = F extends BooleanField
  ? boolean
  : F extends IntegerField
    ? number
    : F extends StringField
      ? string
      : F extends ListField
        ? Array<ValueOf<F['items']>>
        : F extends ObjectField
          ? Record<string, unknown>
          : unknown;

/** The values of an object's fields, each undefined when absent (or null, as Go reads it). */
export type FieldValues<F extends Fields> = { [K in keyof F]: ValueOf<F[K]> | undefined };

const show = (v: unknown): string => JSON.stringify(v) ?? String(v);

/** Look a key up as the object's definition says: exact, or in any case (exact wins). */
export function lookup(obj: Record<string, unknown>, key: string, anyCase = false): unknown {
  if (Object.hasOwn(obj, key) || !anyCase) return obj[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return obj[k];
  return undefined;
}

function describe(f: Field): string {
  switch (f.kind) {
    case 'boolean':
      return 'true or false';
    case 'integer':
      return `an integer from ${f.min} to ${f.max}`;
    case 'string':
      return f.enum ? `one of ${f.enum.map((e) => `"${e}"`).join(', ')}` : (f.patternName ?? 'a string');
    case 'list':
      return 'a list';
    case 'object':
      return 'a JSON object';
    case 'any':
      return 'any value';
  }
}

/** Check one value against its field; `at` names it in the message. Returns the value read. */
export function readValue<F extends Field>(value: unknown, f: F, at: string): ValueOf<F> {
  const wrong = (): never => {
    throw invalidConfig(`${at}: must be ${describe(f)}, not ${show(value)}`);
  };
  switch (f.kind) {
    case 'boolean':
      if (typeof value === 'boolean') return value as ValueOf<F>;
      if (f.orString && (value === 'true' || value === 'false')) return (value === 'true') as ValueOf<F>;
      return wrong();
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < f.min || value > f.max) wrong();
      return value as ValueOf<F>;
    case 'string': {
      if (typeof value !== 'string') return wrong();
      if (f.enum && !f.enum.includes(value)) wrong();
      if (f.maxLength !== undefined && value.length > f.maxLength) {
        throw invalidConfig(`${at}: ${value.length} characters, at most ${f.maxLength}`);
      }
      if ((f.minLength !== undefined && value.length < f.minLength) || (f.pattern && !f.pattern.test(value))) wrong();
      if (f.reserved?.includes(value)) throw invalidConfig(`${at}: ${show(value)} is reserved (${f.reserved.join(', ')})`);
      return value as ValueOf<F>;
    }
    case 'list': {
      if (!Array.isArray(value)) return wrong();
      if (value.length > f.maxItems) throw invalidConfig(`${at}: ${value.length} entries, at most ${f.maxItems}`);
      if (f.minItems !== undefined && value.length < f.minItems) throw invalidConfig(`${at}: must have at least ${f.minItems} entr${f.minItems === 1 ? 'y' : 'ies'}`);
      return value.map((item, i) => readValue(item, f.items, `${at}[${i}]`)) as ValueOf<F>;
    }
    case 'object':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return wrong();
      readFields(value as Record<string, unknown>, f.fields, at, f.anyCase, f.required);
      return value as ValueOf<F>;
    case 'any':
      return value as ValueOf<F>;
  }
}

/**
 * Read an object's declared fields, checking each one present; `at` is the object's path ('' for
 * the config itself). Unknown keys are left alone: see unknownKeys.
 */
export function readFields<F extends Fields>(obj: Record<string, unknown>, fields: F, at = '', anyCase = false, required: readonly string[] = []): FieldValues<F> {
  const out: Record<string, unknown> = {};
  for (const [key, f] of Object.entries(fields)) {
    const path = at === '' ? key : `${at}.${key}`;
    const v = lookup(obj, key, anyCase);
    if (v === undefined || v === null) {
      if (required.includes(key)) throw invalidConfig(`${path}: missing`);
      continue;
    }
    out[key] = readValue(v, f, path);
  }
  return out as FieldValues<F>;
}

/** An unknown key, with the known key it most likely meant (for "did you mean"). */
export interface UnknownKey {
  path: string;
  suggestion?: string;
}

/** The keys of `obj` (and of its closed sub-objects, lists included) that no field declares. */
export function unknownKeys(obj: unknown, fields: Fields, at = '', anyCase = false): UnknownKey[] {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return [];
  const found: UnknownKey[] = [];
  const known = Object.keys(fields);
  for (const [key, value] of Object.entries(obj)) {
    const path = at === '' ? key : `${at}.${key}`;
    const name = anyCase ? known.find((k) => k.toLowerCase() === key.toLowerCase()) : Object.hasOwn(fields, key) ? key : undefined;
    if (name === undefined) {
      const suggestion = closest(key, known);
      found.push({ path, ...(suggestion !== undefined && { suggestion }) });
      continue;
    }
    found.push(...unknownIn(value, fields[name]!, path));
  }
  return found;
}

function unknownIn(value: unknown, f: Field, path: string): UnknownKey[] {
  if (f.kind === 'object' && !f.open) return unknownKeys(value, f.fields, path, f.anyCase);
  if (f.kind === 'list' && Array.isArray(value)) return value.flatMap((item, i) => unknownIn(item, f.items, `${path}[${i}]`));
  return [];
}

/** The known key nearest to `key` (edit distance at most a third of its length), if any. */
export function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(key.length / 3)) + 1;
  for (const k of known) {
    const d = k.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key, k);
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}

/** Edits between two words: insertions, deletions, substitutions and swaps of neighbours ("mut"/"mtu"). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

export const booleanField = (doc: string, orString = false): BooleanField => ({ kind: 'boolean', doc, ...(orString && { orString }) });
export const integerField = (min: number, max: number, doc: string): IntegerField => ({ kind: 'integer', min, max, doc });
export const stringField = (doc: string, more: Omit<StringField, 'kind' | 'doc'> = {}): StringField => ({ kind: 'string', doc, ...more });
export const listField = <I extends Field>(items: I, maxItems: number, doc: string, minItems?: number): ListField & { items: I } => ({
  kind: 'list',
  items,
  maxItems,
  doc,
  ...(minItems !== undefined && { minItems }),
});
export const objectField = (fields: Fields, doc: string, more: Omit<ObjectField, 'kind' | 'doc' | 'fields'> = {}): ObjectField => ({ kind: 'object', fields, doc, ...more });
export const anyField = (doc: string): OpenField => ({ kind: 'any', doc });

/**
 * A plugin's parse-only entry: its keys and the checks its ADD makes before any side effect, at
 * any cniVersion. `cnictl validate` asks it, so validate reports exactly what ADD would.
 */
export interface ConfigEntry {
  /** The plugin's own keys, on top of NETCONF_FIELDS, or (`section: 'ipam'`) of its ipam object. */
  fields: Fields;
  /** An IPAM plugin reads its keys from the config's `ipam` object, in any case. */
  section?: 'ipam';
  /** The plugin builds its delegate's `ipam` itself: the IPAM plugin never sees this one as is. */
  rewritesIpam?: boolean;
  /** Throws the CniError ADD would throw for this config and CNI_ARGS. */
  parse(conf: NetConf, cniArgs: string): void;
}
