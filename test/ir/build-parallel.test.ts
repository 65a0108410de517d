/** The worker-thread build of large repositories gives exactly the IR and diagnostics of a sequential build. */
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildFiles, PARALLEL_THRESHOLD_BYTES } from '../../generator/ir/build-parallel.ts';
import { buildIR, buildProject, mergeFileResults } from '../../generator/ir/build.ts';
import { loadConfig } from '../../generator/load/config.ts';
import { listFeatureFiles, loadFeatureFiles } from '../../generator/load/discover.ts';
import { synthFeatures } from '../../scripts/bench/synth-features.ts';
import { tempDir } from '../helpers/temp-dir.ts';

describe('parallel IR build', () => {
  it('matches the sequential build for a repository above the threshold, errors included', async () => {
    const dir = path.join(await tempDir('parallel'), 'features');
    await synthFeatures(dir, 400);
    // An error in the last file (the worker's half) and a name defined in both halves.
    const last = path.join(dir, 'ns7', 'ns7.yaml');
    await appendFile(last, '\nns0::feature0-v1:\n  feature_type: Object\n  owner: x\n  schema:\n    id: { type: Text, is_key_field: true }\nbad::x-v1:\n  owner: 3\n');
    const config = await loadConfig('test/fixtures/config/featurestore.yaml');
    const files = await listFeatureFiles(dir);
    expect(files.reduce((n, f) => n + f.bytes, 0)).toBeGreaterThan(PARALLEL_THRESHOLD_BYTES);

    const project = buildProject(config);
    const parallel = mergeFileResults(project, config.diagnostics, await buildFiles(files, new Set(project.consumers.map((c) => c.name))));
    const sequential = buildIR(await loadFeatureFiles(dir), config);
    expect(parallel.ir).toBeUndefined();
    expect(parallel.diagnostics.map((d) => d.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^feature defined twice: also at .*ns0\.yaml:1$/), 'missing required key "feature_type"']),
    );
    expect(parallel).toEqual(sequential);
    await writeFile(last, (await readFile(last, 'utf8')).split('\nns0::feature0-v1:')[0]!);
    const clean = mergeFileResults(project, [], await buildFiles(files, new Set(project.consumers.map((c) => c.name))));
    expect(clean.ir?.features).toHaveLength(400);
    expect(clean).toEqual(buildIR(await loadFeatureFiles(dir), config));
  });
});
