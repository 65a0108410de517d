/**
 * The Airflow side of upsync, checked with a real Airflow (the services venv): the operator package's
 * own pytest suite, then every generated DAG loaded by Airflow's DagBag and compared with the manifest.
 * Never skipped: a missing venv fails with the command that creates it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const PYTHON = path.resolve(process.env['AIRFLOW_PYTHON'] ?? '.services/airflow-venv/bin/python');
const AIRFLOW_HOME = path.resolve(process.env['AIRFLOW_HOME'] ?? '.services/airflow');
const PACKAGE_DIR = path.resolve('runtime/airflow');
const DAG_FOLDER = 'generated/airflow';
const UP = 'run `npm run services -- up airflow` (bash scripts/services/services.sh up airflow), or point AIRFLOW_PYTHON at a python with Airflow';
const GOOGLE = `the DAG stubs need apache-airflow-providers-google: ${PYTHON} -m pip install -r scripts/services/requirements-airflow-google.txt`;

interface Task { task_id: string; operator: string; feature?: string; target_features?: string[]; incremental?: boolean }
interface DagBagReport {
  airflow: string;
  import_errors: Record<string, string>;
  dags: Record<string, { tasks: Task[]; upstream: Record<string, string[]> }>;
}
interface ManifestFeature { upsync: { enabled: boolean; incrementalUpdate: boolean } }

function python(args: string[], timeout = 120_000) {
  const r = spawnSync(PYTHON, args, { encoding: 'utf8', timeout, env: { ...process.env, AIRFLOW_HOME, PYTHONDONTWRITEBYTECODE: '1' } });
  if (r.error) throw new Error(`${PYTHON} ${args.join(' ')}: ${r.error.message}`);
  return { status: r.status, out: r.stdout, err: r.stderr, all: `${r.stdout}\n${r.stderr}` };
}

/** The tests must exercise this checkout's operator, so (re)install it editable when the venv has none or another copy. */
function ensureOperatorPackage(): void {
  const where = python(['-c', 'import os, featurestore_airflow as m; print(os.path.realpath(m.__file__))']);
  if (where.status === 0 && where.out.trim().startsWith(realpathSync(PACKAGE_DIR) + path.sep)) return;
  const inVenv = python(['-c', 'import sys; print(sys.prefix != sys.base_prefix)']).out.trim() === 'True';
  const install = `${PYTHON} -m pip install --no-deps -e ${path.relative(process.cwd(), PACKAGE_DIR)}`;
  if (!inVenv) throw new Error(`featurestore_airflow from this checkout is not installed for ${PYTHON} (not a venv, so not installed by the test): ${install}`);
  const pip = python(['-m', 'pip', 'install', '-q', '--disable-pip-version-check', '--no-deps', '-e', PACKAGE_DIR], 300_000);
  if (pip.status !== 0) throw new Error(`${install} failed:\n${pip.all}`);
}

/** Pins from the services requirements, so a hint never installs other versions than `up airflow` would. */
function pinned(name: RegExp): string {
  return readFileSync('scripts/services/requirements-airflow.txt', 'utf8').split('\n').filter((l) => name.test(l)).join(' ');
}

let loaded: DagBagReport | undefined;
let setupError: unknown;

/** The DagBag report; rethrows a setup failure inside every test, so each one FAILS (a hook error would list them as skipped). */
function bag(): DagBagReport {
  if (setupError !== undefined) throw setupError;
  if (!loaded) throw new Error('load_dagbag.py did not run');
  return loaded;
}

beforeAll(() => {
  try {
    if (!existsSync(PYTHON)) throw new Error(`No Airflow python at ${PYTHON}: ${UP}`);
    const airflow = python(['-c', 'import airflow']);
    if (airflow.status !== 0) throw new Error(`${PYTHON} cannot import airflow: ${UP}\n${airflow.err}`);
    ensureOperatorPackage();
    const load = python([path.resolve('test/airflow/load_dagbag.py'), DAG_FOLDER]);
    if (load.status !== 0) throw new Error(`load_dagbag.py failed:\n${load.err}`);
    loaded = JSON.parse(load.out) as DagBagReport;
  } catch (e) {
    setupError = e;
  }
}, 360_000);

describe('runtime/airflow (featurestore-airflow)', () => {
  it('passes its pytest suite in the Airflow venv', () => {
    bag();
    const r = python(['-m', 'pytest', path.relative(process.cwd(), PACKAGE_DIR) + '/tests', '-q', '-p', 'no:cacheprovider']);
    const hint = /No module named pytest/.test(r.err) ? `\npytest is missing: ${PYTHON} -m pip install ${pinned(/^(pytest|iniconfig)==/)}` : '';
    expect(r.status, r.all + hint).toBe(0);
  });
});

describe(`generated/airflow in Airflow's DagBag`, () => {
  const upsyncTasks = () => Object.entries(bag().dags).flatMap(([dagId, d]) => d.tasks.filter((t) => t.operator === 'FeatureStoreUpsyncOperator').map((t) => ({ dagId, ...t })));

  it('imports every DAG file without errors', () => {
    const errors = Object.entries(bag().import_errors).map(([file, e]) => `${file}: ${e}`).join('\n\n');
    const hint = errors.includes('airflow.providers.google') ? `\n\n${GOOGLE}` : '';
    expect(errors, errors + hint).toBe('');
    expect(Object.keys(bag().dags).length, `no DAGs in ${DAG_FOLDER} (Airflow ${bag().airflow})`).toBeGreaterThan(0);
  });

  it('puts every upsync feature of the manifest in exactly one FeatureStoreUpsyncOperator, with its incremental mode', () => {
    const manifest = JSON.parse(readFileSync('generated/manifest.json', 'utf8')) as { features: Record<string, ManifestFeature> };
    const expected = Object.entries(manifest.features).filter(([, f]) => f.upsync.enabled);
    const holders = new Map<string, Task[]>();
    for (const task of upsyncTasks()) for (const name of task.target_features ?? []) holders.set(name, [...(holders.get(name) ?? []), task]);
    expect([...holders.keys()].sort()).toEqual(expected.map(([name]) => name).sort());
    for (const [name, f] of expected) {
      expect(holders.get(name), name).toHaveLength(1);
      expect(holders.get(name)?.[0]?.incremental, `${name}: incremental`).toBe(f.upsync.incrementalUpdate);
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
