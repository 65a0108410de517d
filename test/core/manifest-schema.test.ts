/** The contract's manifest schema: what it accepts (every manifest codegen writes), what it refuses and how it says so. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { MANIFEST_FORMAT_ERRORS, MANIFEST_FORMAT_VERSION, type Manifest } from '../../core/manifest/manifest-schema.ts';
import { MANIFEST_ERRORS, ManifestError, parseManifest, parseManifestText } from '../../core/manifest/parse-manifest.ts';

const FILES = ['generated/manifest.json', 'test/fixtures/golden/expected/manifest.json'];
const text = await readFile('generated/manifest.json', 'utf8');
/** A fresh, editable copy of the example manifest as plain JSON (to break on purpose). */
type Editable = Record<string, unknown> & { features: Record<string, Record<string, unknown>> };
const json = (): Editable => JSON.parse(text) as Editable;

function problemsOf(value: unknown, formats?: 'current' | 'readable'): readonly string[] {
  try {
    parseManifest(value, 'm.json', formats ? { formats } : {});
  } catch (e) {
    if (e instanceof ManifestError) return e.problems;
    throw e;
  }
  return [];
}

describe('manifestSchema', () => {
  it.each(FILES)('parses %s as codegen wrote it, and keeps its property order', async (file) => {
    const written = await readFile(file, 'utf8');
    const manifest: Manifest = parseManifestText(written, file);
    expect(manifest.formatVersion).toBe(MANIFEST_FORMAT_VERSION);
    // Codegen writes retired entries back as parsed: the schema's order must be the file's.
    expect(JSON.stringify(manifest, null, 2) + '\n').toBe(written);
  });

  it('narrows on the feature type: a History entry has its event-time field', () => {
    const manifest = parseManifestText(text, 'generated/manifest.json');
    const history = Object.values(manifest.features).filter((f) => f.featureType === 'History');
    expect(history.length).toBeGreaterThan(0);
    for (const f of history) expect(typeof f.eventTimeField).toBe('string');
  });

  it('refuses a History entry without an event-time field, and an Object entry with one', () => {
    const m = json();
    const [historyName] = Object.entries(m.features).find(([, f]) => f['featureType'] === 'History')!;
    const [objectName] = Object.entries(m.features).find(([, f]) => f['featureType'] === 'Object')!;
    m.features[historyName]!['eventTimeField'] = null;
    m.features[objectName]!['eventTimeField'] = 'at';
    const problems = problemsOf(m);
    expect(problems).toHaveLength(2);
    expect(problems.filter((p) => p.startsWith(`features.${historyName}.eventTimeField: `))).toHaveLength(1);
    expect(problems.filter((p) => p.startsWith(`features.${objectName}.eventTimeField: `))).toHaveLength(1);
  });

  it('reads upsync.shards as 1 in a manifest written before it existed, and refuses shards below 1', () => {
    const m = json();
    const [name, entry] = Object.entries(m.features)[0] ?? [];
    const upsync = { ...(entry?.['upsync'] as Record<string, unknown>) };
    delete upsync['shards'];
    m.features[name ?? ''] = { ...entry, upsync };
    expect(parseManifest(m, 'm.json').features[name ?? '']?.upsync.shards).toBe(1);
    m.features[name ?? ''] = { ...entry, upsync: { ...upsync, shards: 0 } };
    expect(problemsOf(m).join('\n')).toMatch(/upsync\.shards/);
  });

  it('refuses a foreign JSON document, naming each missing part', async () => {
    const problems = problemsOf(JSON.parse(await readFile('package.json', 'utf8')));
    expect(problems).toContain(`formatVersion: ${MANIFEST_FORMAT_ERRORS.unreadable}`);
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(/^project: /), expect.stringMatching(/^features: /)]));
  });

  it('reads format 1 only when asked to (codegen upgrades its baseline; the runtime needs format 2)', () => {
    const old = { ...json(), formatVersion: 1 };
    expect(problemsOf(old, 'readable')).toEqual([]);
    expect(problemsOf(old)).toEqual([`formatVersion: ${MANIFEST_FORMAT_ERRORS.notCurrent}`]);
    expect(problemsOf({ ...json(), formatVersion: 3 }, 'readable')).toEqual([`formatVersion: ${MANIFEST_FORMAT_ERRORS.unreadable}`]);
  });

  it('names the file: not JSON, or not a manifest', () => {
    expect(() => parseManifestText('{ truncated', 'dir/manifest.json')).toThrow(/^dir\/manifest\.json is not valid JSON \(/);
    const error = (() => {
      try {
        return parseManifestText('[]', 'dir/manifest.json');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ManifestError);
    expect((error as ManifestError).message).toBe(MANIFEST_ERRORS.invalid('dir/manifest.json', (error as ManifestError).problems));
    expect((error as ManifestError).reason).toBe('schema');
  });
});
