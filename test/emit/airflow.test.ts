import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { emitAirflow, upsyncGroups } from '../../generator/emit/airflow/index.ts';
import type { FeatureIR } from '../../generator/ir/types.ts';
import { hostStat, pairStat, richHistory, sampleIr, syntheticIr } from './text-sample-ir.ts';

mkdirSync('.vitest-tmp', { recursive: true });
const tmp = mkdtempSync(join('.vitest-tmp', 'airflow-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function writeAll(root: string, files: ReadonlyMap<string, string>): string[] {
  return [...files].map(([path, text]) => {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    return file;
  });
}

/**
 * Just enough of airflow, pendulum and featurestore_airflow to execute a DAG file and record its
 * wiring (Airflow itself is far too heavy for a unit test); py_compile alone would miss NameErrors.
 */
const FAKES: Record<string, string> = {
  'pendulum.py': 'def datetime(*args, **kwargs):\n    return ("datetime", args, tuple(sorted(kwargs.items())))\n',
  'fake_base.py': `DAGS = []
class DAG:
    def __init__(self, **kwargs):
        self.kwargs, self.tasks = kwargs, []
        DAGS.append(self)
    def __enter__(self):
        DAG.current = self
        return self
    def __exit__(self, *exc):
        DAG.current = None
class Operator:
    def __init__(self, task_id, **kwargs):
        self.task_id, self.kwargs, self.upstream = task_id, kwargs, []
        DAG.current.tasks.append(self)
    def __rrshift__(self, others):
        self.upstream += [o.task_id for o in others]
        return self
    @classmethod
    def partial(cls, **kwargs):
        return Partial(cls, kwargs)
class Partial:
    def __init__(self, cls, kwargs):
        self.cls, self.kwargs = cls, kwargs
    def expand(self, **mapped):
        return self.cls(**self.kwargs, expand=mapped)
`,
  'airflow/__init__.py': 'from fake_base import DAG\n',
  'airflow/providers/__init__.py': '',
  'airflow/providers/google/__init__.py': '',
  'airflow/providers/google/cloud/__init__.py': '',
  'airflow/providers/google/cloud/operators/__init__.py': '',
  'airflow/providers/google/cloud/operators/bigquery.py': 'from fake_base import Operator as BigQueryInsertJobOperator\n',
  'featurestore_airflow/__init__.py': '',
  'featurestore_airflow/operators.py': 'from fake_base import Operator as FeatureStoreUpsyncOperator\n',
  'run_dag.py': `import json, runpy, sys
import fake_base
runpy.run_path(sys.argv[1])
dag = fake_base.DAGS[0]
kw = dict(dag.kwargs)
kw["start_date"] = repr(kw["start_date"])
kw["template_searchpath"] = [p.split("/")[-3:] for p in kw["template_searchpath"]]
tasks = [dict(task_id=t.task_id, upstream=t.upstream, **t.kwargs) for t in dag.tasks]
print(json.dumps({"dag": kw, "tasks": tasks}))
`,
};

function runDag(file: string): { dag: Record<string, unknown>; tasks: Record<string, unknown>[] } {
  const fakes = join(tmp, 'fakes');
  writeAll(fakes, new Map(Object.entries(FAKES)));
  const run = spawnSync('python3', [join(fakes, 'run_dag.py'), file], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: fakes } });
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout) as { dag: Record<string, unknown>; tasks: Record<string, unknown>[] };
}

describe('emitAirflow', () => {
  const files = emitAirflow(sampleIr());

  it('writes one DAG per namespace, split by schedule only where a namespace has several', () => {
    expect([...files.keys()].sort()).toEqual([
      'airflow/azar_match_upsync_cron_0_x_6_x_x_x.py',
      'airflow/azar_match_upsync_daily.py',
      'airflow/live_upsync.py',
    ]);
    const groups = upsyncGroups(sampleIr());
    expect(groups.map((g) => [g.namespace, g.schedule, g.suffix, g.features.map((f) => f.fullName)])).toEqual([
      ['azar-match', '0 */6 * * *', 'cron_0_x_6_x_x_x', ['azar-match::rich-history-v1']],
      ['azar-match', '@daily', 'daily', ['azar-match::pair-stat-v2']],
      ['live', '@daily', '', ['live::host-stat-v1']],
    ]);
  });

  it('every DAG stub compiles with python3 -m py_compile', () => {
    const paths = writeAll(join(tmp, 'compile'), files);
    const run = spawnSync('python3', ['-m', 'py_compile', ...paths], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('wires transforms into the upsync operator with the documented arguments', () => {
    const [file] = writeAll(join(tmp, 'run'), new Map([['airflow/live_upsync.py', files.get('airflow/live_upsync.py') ?? '']]));
    const { dag, tasks } = runDag(file ?? '');
    expect(dag).toMatchObject({
      dag_id: 'featurestore_upsync__live',
      schedule: '@daily',
      start_date: "('datetime', (2024, 1, 1), (('tz', 'UTC'),))",
      catchup: false,
      template_searchpath: [['airflow', 'query', 'transform']],
      tags: ['featurestore', 'upsync', 'live'],
    });
    expect(tasks).toEqual([
      {
        task_id: 'transform_live__host_stat_v1',
        upstream: [],
        project_id: 'acme-ml',
        location: 'US',
        configuration: { query: { query: "{% include 'live__host_stat_v1.sql' %}", useLegacySql: false } },
        params: { feature: 'live::host-stat-v1', target_table: 'acme-ml.featurestore.live__host_stat_v1' },
      },
      {
        task_id: 'featurestore_upsync',
        upstream: ['transform_live__host_stat_v1'],
        target_features: ['live::host-stat-v1'],
        incremental: true,
      },
    ]);
    expect(files.get('airflow/live_upsync.py')).toContain('# SQL: query/transform/live__host_stat_v1.sql\n');
  });

  it('splits mixed incremental settings into two upsync tasks; schedule None when triggered externally', () => {
    const manual = (f: FeatureIR, incrementalUpdate: boolean): FeatureIR => ({
      ...f,
      namespace: 'ops',
      fullName: f.fullName.replace(/^[^:]+/, 'ops'),
      tableName: f.tableName.replace(/^[a-z_]+?__/, 'ops__'),
      upsync: { enabled: true, incrementalUpdate, schedule: null, shards: 1 },
    });
    const out = emitAirflow(sampleIr([manual(hostStat, true), manual(pairStat, false)]));
    const text = out.get('airflow/ops_upsync.py') ?? '';
    expect(text).toContain('    schedule=None,\n');
    const [file] = writeAll(join(tmp, 'mixed'), out);
    const { tasks } = runDag(file ?? '');
    expect(tasks.map((t) => [t.task_id, t.upstream, t.target_features ?? null, t.incremental ?? null])).toEqual([
      ['transform_ops__host_stat_v1', [], null, null],
      ['transform_ops__pair_stat_v2', [], null, null],
      ['featurestore_upsync_incremental', ['transform_ops__host_stat_v1', 'transform_ops__pair_stat_v2'], ['ops::host-stat-v1'], true],
      ['featurestore_upsync_full', ['transform_ops__host_stat_v1', 'transform_ops__pair_stat_v2'], ['ops::pair-stat-v2'], false],
    ]);
  });

  it('fans a sharded group out with dynamic task mapping, one task per (mode, shard count)', () => {
    const ops = (f: FeatureIR, incrementalUpdate: boolean, shards: number): FeatureIR => ({
      ...f,
      namespace: 'ops',
      fullName: f.fullName.replace(/^[^:]+/, 'ops'),
      tableName: f.tableName.replace(/^[a-z_]+?__/, 'ops__'),
      upsync: { enabled: true, incrementalUpdate, schedule: '@hourly', shards },
    });
    const out = emitAirflow(sampleIr([ops(hostStat, true, 4), ops(pairStat, true, 1), ops(richHistory, false, 3)]));
    const text = out.get('airflow/ops_upsync.py') ?? '';
    expect(text).toContain('    ).expand(shard=[f"{i}/4" for i in range(4)])\n');
    const [file] = writeAll(join(tmp, 'sharded'), out);
    const { tasks } = runDag(file ?? '');
    const upsyncs = tasks.filter((t) => String(t.task_id).startsWith('featurestore_upsync'));
    expect(upsyncs.map((t) => [t.task_id, t.target_features, t.incremental, t.expand ?? null])).toEqual([
      ['featurestore_upsync_incremental_1_shards', ['ops::pair-stat-v2'], true, null],
      ['featurestore_upsync_incremental_4_shards', ['ops::host-stat-v1'], true, { shard: ['0/4', '1/4', '2/4', '3/4'] }],
      ['featurestore_upsync_full', ['ops::rich-history-v1'], false, { shard: ['0/3', '1/3', '2/3'] }],
    ]);
    for (const t of upsyncs) expect(t.upstream, String(t.task_id)).toHaveLength(3);
  });

  it('keeps the plain task id when every feature of a DAG has the same mode and shard count', () => {
    const sharded = { ...hostStat, upsync: { ...hostStat.upsync, shards: 2 } };
    const { tasks } = runDag(writeAll(join(tmp, 'one-group'), emitAirflow(sampleIr([sharded])))[0] ?? '');
    expect(tasks.at(-1)).toMatchObject({ task_id: 'featurestore_upsync', expand: { shard: ['0/2', '1/2'] } });
  });

  it('gives clashing schedule slugs a hash so DAG ids stay unique', () => {
    const a = { ...richHistory, upsync: { ...richHistory.upsync, schedule: '0 1,2 * * *' } };
    const b = { ...pairStat, upsync: { ...pairStat.upsync, schedule: '0 1-2 * * *' } };
    const suffixes = upsyncGroups(sampleIr([a, b])).map((g) => g.suffix);
    expect(suffixes).toHaveLength(2);
    expect(new Set(suffixes).size).toBe(2);
    for (const s of suffixes) expect(s).toMatch(/^cron_0_1_2_x_x_x_[0-9a-f]{8}$/);
  });

  it('emits nothing for features without upsync', () => {
    expect(emitAirflow(sampleIr([{ ...hostStat, upsync: { ...hostStat.upsync, enabled: false } }])).size).toBe(0);
  });

  it('is deterministic', () => {
    expect([...emitAirflow(sampleIr())]).toEqual([...files]);
  });

  it('emits 1,000 features, and the big DAGs compile', () => {
    const ir = syntheticIr(1000);
    const big = emitAirflow(ir);
    const run = spawnSync('python3', ['-m', 'py_compile', ...writeAll(join(tmp, 'big'), big)], { encoding: 'utf8' });
    expect(run.status).toBe(0);
  });
});
