import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parseConfList } from '../../tools/cnictl/src/conf/load.ts';
import { listConfigFindings } from '../../tools/cnictl/src/validate/list-config.ts';
import { REPO_ROOT } from '../lib/exec.ts';

// The committed JSON Schemas and the plugins' own parsers judge a corpus of conflists alike:
// valid/ passes both, invalid/ fails both. beyond-schema/ holds what only the parsers can see
// (address arithmetic, keys that exclude each other, the grammar of firewall conditions): the
// schema accepts those, the parser refuses them, and `cnictl validate` reports them.
const CORPUS = join(REPO_ROOT, 'test-e2e/schemas/corpus');
const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'schemas/conflist.schema.json'), 'utf8')) as Record<string, unknown>;
const validateSchema = new Ajv({ allErrors: true, strict: false }).compile(schema);

const files = (folder: string): string[] => readdirSync(join(CORPUS, folder)).filter((f) => f.endsWith('.conflist')).sort();

/** The parser's verdict: the loader's and each plugin's refusals, and keys no plugin reads. */
function parserFindings(path: string): string[] {
  const bytes = readFileSync(path);
  try {
    const list = parseConfList(bytes, path);
    return listConfigFindings(list, JSON.parse(bytes.toString('utf8'))).filter((f) => f.severity !== 'info').map((f) => f.message);
  } catch (e) {
    return [(e as Error).message];
  }
}
const schemaErrors = (path: string): string[] =>
  validateSchema(JSON.parse(readFileSync(path, 'utf8'))) ? [] : (validateSchema.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);

describe('the conflist schema and the parsers agree', () => {
  it('the corpus covers each kind', () => {
    expect(files('valid').length).toBeGreaterThanOrEqual(10);
    expect(files('invalid').length).toBeGreaterThanOrEqual(25);
  });

  for (const f of files('valid')) {
    it(`valid/${f}: both accept`, () => {
      const path = join(CORPUS, 'valid', f);
      expect(schemaErrors(path)).toEqual([]);
      expect(parserFindings(path)).toEqual([]);
    });
  }

  for (const f of files('invalid')) {
    it(`invalid/${f}: both refuse`, () => {
      const path = join(CORPUS, 'invalid', f);
      expect(schemaErrors(path)).not.toEqual([]);
      expect(parserFindings(path)).not.toEqual([]);
    });
  }

  for (const f of files('beyond-schema')) {
    it(`beyond-schema/${f}: the schema cannot tell, the parser refuses`, () => {
      const path = join(CORPUS, 'beyond-schema', f);
      expect(schemaErrors(path)).toEqual([]);
      expect(parserFindings(path)).toEqual([expect.stringMatching(/ADD would fail with code 7: /)]);
    });
  }
});
