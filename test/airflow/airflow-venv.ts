/**
 * The services' Airflow venv as the Airflow tests use it: its python (AIRFLOW_PYTHON from the
 * services harness), a runner, and the featurestore-airflow package of THIS checkout installed into
 * it (editable, no deps: idempotent, and ~10 s only when another checkout's copy was installed).
 * The venv is shared with other checkouts of the repository, so the install is checked per run
 * rather than assumed; a missing venv fails with the command that creates it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';

export const PYTHON = path.resolve(process.env['AIRFLOW_PYTHON'] ?? '.services/airflow-venv/bin/python');
export const SERVICES_AIRFLOW_HOME = path.resolve(process.env['AIRFLOW_HOME'] ?? '.services/airflow');
export const PACKAGE_DIR = path.resolve('runtime/airflow');
export const UP = 'run `npm run services -- up airflow` (bash scripts/services/services.sh up airflow), or point AIRFLOW_PYTHON at a python with Airflow';

export interface PythonResult {
  readonly status: number | null;
  readonly out: string;
  readonly err: string;
  readonly all: string;
}

export interface RunOptions {
  readonly timeout?: number;
  /** Replaces the inherited AIRFLOW_HOME and adds to the environment. */
  readonly env?: Record<string, string>;
  readonly cwd?: string;
}

/** Runs `file` (PYTHON by default, or another executable of the venv's bin/) with args. */
export function runIn(file: string, args: readonly string[], options: RunOptions = {}): PythonResult {
  const r = spawnSync(file, args, {
    encoding: 'utf8',
    timeout: options.timeout ?? 120_000,
    cwd: options.cwd,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, AIRFLOW_HOME: SERVICES_AIRFLOW_HOME, PYTHONDONTWRITEBYTECODE: '1', ...options.env },
  });
  if (r.error) throw new Error(`${file} ${args.join(' ')}: ${r.error.message}`);
  return { status: r.status, out: r.stdout, err: r.stderr, all: `${r.stdout}\n${r.stderr}` };
}

export function python(args: readonly string[], options: RunOptions = {}): PythonResult {
  return runIn(PYTHON, args, options);
}

/** The venv's own executable `name` (bin/airflow, bin/pip). */
export function venvBin(name: string): string {
  return path.join(path.dirname(PYTHON), name);
}

/** Throws (with the fix) unless PYTHON exists and imports airflow. */
export function requireAirflow(): void {
  if (!existsSync(PYTHON)) throw new Error(`No Airflow python at ${PYTHON}: ${UP}`);
  const airflow = python(['-c', 'import airflow']);
  if (airflow.status !== 0) throw new Error(`${PYTHON} cannot import airflow: ${UP}\n${airflow.err}`);
}

/** The tests must exercise this checkout's operator, so (re)install it editable when the venv has none or another copy. */
export function ensureOperatorPackage(): void {
  const where = python(['-c', 'import os, featurestore_airflow as m; print(os.path.realpath(m.__file__))']);
  if (where.status === 0 && where.out.trim().startsWith(realpathSync(PACKAGE_DIR) + path.sep)) return;
  const inVenv = python(['-c', 'import sys; print(sys.prefix != sys.base_prefix)']).out.trim() === 'True';
  const install = `${PYTHON} -m pip install --no-deps -e ${path.relative(process.cwd(), PACKAGE_DIR)}`;
  if (!inVenv) throw new Error(`featurestore_airflow from this checkout is not installed for ${PYTHON} (not a venv, so not installed by the test): ${install}`);
  const pip = python(['-m', 'pip', 'install', '-q', '--disable-pip-version-check', '--no-deps', '-e', PACKAGE_DIR], { timeout: 300_000 });
  if (pip.status !== 0) throw new Error(`${install} failed:\n${pip.all}`);
}
