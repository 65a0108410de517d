/**
 * Python leaves bytecode beside the DAGs it imports (Airflow parsing generated/airflow/, a test, an
 * editor). `codegen --check` and `plan` do not count it as extra output; any other stray file still is.
 */
import { execFileSync } from 'node:child_process';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const FIXTURE = 'test/fixtures/golden';
const args = (out: string) => ['--features', `${FIXTURE}/features`, '--config', `${FIXTURE}/featurestore.yaml`, '--out', out];

describe('Python bytecode in generated/airflow/', () => {
  it('is not an extra file for --check or plan; other stray files are', async () => {
    const out = path.join(await tempDir('pycache'), 'generated');
    expect((await runCli(['codegen', ...args(out)])).code).toBe(0);
    const dags = (await readdir(path.join(out, 'airflow'))).filter((f) => f.endsWith('.py')).map((f) => path.join(out, 'airflow', f));
    expect(dags.length).toBeGreaterThan(0);
    // Real bytecode, where Python puts it (no PYTHONPYCACHEPREFIX): airflow/__pycache__/<dag>.cpython-3xx.pyc.
    const env = { ...process.env };
    delete env['PYTHONPYCACHEPREFIX'];
    execFileSync('python3', ['-m', 'py_compile', ...dags], { env });
    const cached = await readdir(path.join(out, 'airflow/__pycache__'));
    expect(cached.some((f) => f.endsWith('.pyc'))).toBe(true);
    // A legacy-layout .pyc (python2, `-B` off in some tools) beside the DAG.
    await writeFile(`${dags[0]}c`, 'bytecode');

    const check = await runCli(['codegen', '--check', '--json', ...args(out)]);
    expect(check.code).toBe(0);
    expect(JSON.parse(check.stdout)).toMatchObject({ ok: true, extra: [] });
    const plan = await runCli(['plan', '--json', ...args(out)]);
    expect(plan.stdout).not.toContain('pyc');

    await writeFile(path.join(out, 'airflow/notes.txt'), 'not generated\n');
    const stray = await runCli(['codegen', '--check', '--json', ...args(out)]);
    expect(stray.code).toBe(1);
    expect(JSON.parse(stray.stdout)).toMatchObject({ ok: false, extra: ['airflow/notes.txt'] });
  });
});
