/**
 * The Airflow side of upsync, checked with a real Airflow (the services venv): the operator package's
 * own pytest suite, then every generated DAG loaded by Airflow's DagBag and compared with the manifest.
 * Never skipped: a missing venv fails with the command that creates it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureOperatorPackage, PACKAGE_DIR, PYTHON, python, requireAirflow } from './airflow-venv.ts';

/** Each DAG folder with the manifest it was generated from: the repository's, and the golden edge cases (sharding). */
const FOLDERS = [
  { dags: 'generated/airflow', manifest: 'generated/manifest.json' },
  { dags: 'test/fixtures/golden/expected/airflow', manifest: 'test/fixtures/golden/expected/manifest.json' },
] as const;
const GOOGLE = `the DAG stubs need apache-airflow-providers-google: ${PYTHON} -m pip install -r scripts/services/requirements-airflow-google.txt`;

interface Task { task_id: string; operator: string; feature?: string; target_features?: string[]; incremental?: boolean; shards?: (string | null)[] }
interface DagBagReport {
  airflow: string;
  import_errors: Record<string, string>;
  dags: Record<string, { tasks: Task[]; upstream: Record<string, string[]> }>;
}
interface ManifestFeature { upsync: { enabled: boolean; incrementalUpdate: boolean; shards?: number } }

/** Pins from the services requirements, so a hint never installs other versions than `up airflow` would. */
function pinned(name: RegExp): string {
  return readFileSync('scripts/services/requirements-airflow.txt', 'utf8').split('\n').filter((l) => name.test(l)).join(' ');
}

const loaded = new Map<string, DagBagReport>();
let setupError: unknown;

/** The DagBag report of a folder; rethrows a setup failure inside every test, so each one FAILS (a hook error would list them as skipped). */
function bagOf(folder: string): DagBagReport {
  if (setupError !== undefined) throw setupError;
  const report = loaded.get(folder);
  if (!report) throw new Error(`load_dagbag.py did not run for ${folder}`);
  return report;
}

beforeAll(() => {
  try {
    requireAirflow();
    ensureOperatorPackage();
    for (const { dags } of FOLDERS) {
      const load = python([path.resolve('test/airflow/load_dagbag.py'), dags]);
      if (load.status !== 0) throw new Error(`load_dagbag.py ${dags} failed:\n${load.err}`);
      loaded.set(dags, JSON.parse(load.out) as DagBagReport);
    }
  } catch (e) {
    setupError = e;
  }
}, 360_000);

describe('runtime/airflow (featurestore-airflow)', () => {
  it('passes its pytest suite in the Airflow venv', () => {
    bagOf(FOLDERS[0].dags);
    const r = python(['-m', 'pytest', path.relative(process.cwd(), PACKAGE_DIR) + '/tests', '-q', '-p', 'no:cacheprovider']);
    const hint = /No module named pytest/.test(r.err) ? `\npytest is missing: ${PYTHON} -m pip install ${pinned(/^(pytest|iniconfig)==/)}` : '';
    expect(r.status, r.all + hint).toBe(0);
  });
});

describe.each(FOLDERS)(`$dags in Airflow's DagBag`, ({ dags: DAG_FOLDER, manifest: MANIFEST }) => {
  const bag = () => bagOf(DAG_FOLDER);
  const upsyncTasks = () => Object.entries(bag().dags).flatMap(([dagId, d]) => d.tasks.filter((t) => t.operator === 'FeatureStoreUpsyncOperator').map((t) => ({ dagId, ...t })));

  it('imports every DAG file without errors', () => {
    const errors = Object.entries(bag().import_errors).map(([file, e]) => `${file}: ${e}`).join('\n\n');
    const hint = errors.includes('airflow.providers.google') ? `\n\n${GOOGLE}` : '';
    expect(errors, errors + hint).toBe('');
    expect(Object.keys(bag().dags).length, `no DAGs in ${DAG_FOLDER} (Airflow ${bag().airflow})`).toBeGreaterThan(0);
  });

  it('puts every upsync feature of the manifest in exactly one FeatureStoreUpsyncOperator, with its incremental mode', () => {
    const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as { features: Record<string, ManifestFeature> };
    const expected = Object.entries(manifest.features).filter(([, f]) => f.upsync.enabled);
    const holders = new Map<string, Task[]>();
    for (const task of upsyncTasks()) for (const name of task.target_features ?? []) holders.set(name, [...(holders.get(name) ?? []), task]);
    expect([...holders.keys()].sort()).toEqual(expected.map(([name]) => name).sort());
    for (const [name, f] of expected) {
      expect(holders.get(name), name).toHaveLength(1);
      expect(holders.get(name)?.[0]?.incremental, `${name}: incremental`).toBe(f.upsync.incrementalUpdate);
      const n = f.upsync.shards ?? 1;
      const shards = n === 1 ? [null] : Array.from({ length: n }, (_, i) => `${i}/${n}`);
      expect(holders.get(name)?.[0]?.shards, `${name}: shards`).toEqual(shards);
    }
  });

  it('runs each transform task, one per upsync feature, before the upsync task of its DAG', () => {
    expect(Object.keys(bag().dags), 'no DAG loaded').not.toHaveLength(0);
    for (const [dagId, dag] of Object.entries(bag().dags)) {
      const transforms = dag.tasks.filter((t) => t.operator === 'BigQueryInsertJobOperator');
      const upsyncs = dag.tasks.filter((t) => t.operator === 'FeatureStoreUpsyncOperator');
      expect(upsyncs.length, `${dagId}: upsync tasks`).toBeGreaterThan(0);
      for (const upsync of upsyncs) {
        for (const t of transforms) expect(dag.upstream[upsync.task_id], `${dagId}: ${t.task_id} upstream of ${upsync.task_id}`).toContain(t.task_id);
        const transformed = new Set(transforms.map((t) => t.feature));
        for (const name of upsync.target_features ?? []) expect(transformed.has(name), `${dagId}: no transform task for ${name}`).toBe(true);
      }
    }
  });
});
