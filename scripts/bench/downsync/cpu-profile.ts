/**
 * Where a worker's CPU went, from the `.cpuprofile` node writes at exit under `--cpu-prof`: self time
 * per function (name, file:line) and per area (a package under node_modules, a folder of this repo,
 * node's internals, GC, idle). Self time rather than total, because the question is which code to
 * change; the areas show whether the worker's own code or a driver is the bottleneck.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fmt, textTable } from '../read/report.ts';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileSummary {
  readonly file: string;
  readonly totalMs: number;
  readonly busyMs: number;
  readonly functions: readonly { readonly name: string; readonly ms: number }[];
  readonly areas: readonly { readonly name: string; readonly ms: number }[];
}

/**
 * The main thread's profile in `dir`: node names them CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile,
 * and tsx's loader runs in a worker thread that writes one of its own (thread 1, module loading only).
 */
export async function mainThreadProfile(dir: string): Promise<string | null> {
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => /\.0\.\d+\.cpuprofile$/.test(f)).sort();
  return files.length > 0 ? path.join(dir, files.at(-1)!) : null;
}

export async function summarizeProfile(file: string, top = 15): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const fn = new Map<string, number>();
  const area = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of self) {
    const frame = byId.get(id)!.callFrame;
    total += us;
    if (frame.functionName === '(idle)') idle += us;
    const where = frame.url ? `${shortUrl(frame.url)}:${frame.lineNumber + 1}` : '';
    const name = `${frame.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
    fn.set(name, (fn.get(name) ?? 0) + us);
    const a = areaOf(frame);
    area.set(a, (area.get(a) ?? 0) + us);
  }
  // Idle is the wall time not spent on the CPU: it is the total minus busy, not a line of the lists.
  fn.delete('(idle)');
  area.delete('(idle)');
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).map(([name, us]) => ({ name, ms: us / 1000 }));
  return { file, totalMs: total / 1000, busyMs: (total - idle) / 1000, functions: sorted(fn).slice(0, top), areas: sorted(area).slice(0, top) };
}

function shortUrl(url: string): string {
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  const root = process.cwd();
  const plain = url.replace(/^file:\/\//, '');
  return plain.startsWith(root) ? path.relative(root, plain) : plain;
}

function areaOf(frame: ProfileNode['callFrame']): string {
  if (!frame.url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  if (frame.url.startsWith('node:')) return 'node internals';
  const short = shortUrl(frame.url);
  const pkg = /^(@[^/]+\/[^/]+|[^/]+)\//.exec(frame.url.includes('node_modules/') ? short : '');
  if (pkg) return `pkg ${pkg[1]}`;
  return short.split('/').slice(0, 2).join('/');
}

/** A profile as printed by the benchmarks: sampled and busy time, then self time by area and by function. */
export function profileLines(what: string, p: ProfileSummary): string[] {
  const pct = (ms: number) => `${fmt((100 * ms) / p.busyMs, 1)} %`;
  const secs = (ms: number) => `${fmt(ms / 1000, 1)} s`;
  return [
    `CPU profile of ${what} (${p.file}): ${secs(p.totalMs)} sampled, ${secs(p.busyMs)} busy (${fmt((100 * (p.totalMs - p.busyMs)) / p.totalMs, 0)} % idle: waiting); self time:`,
    textTable([['area', 'ms', 'of busy'], ...p.areas.slice(0, 10).map((a) => [a.name, fmt(a.ms, 0), pct(a.ms)])]),
    textTable([['function', 'ms', 'of busy'], ...p.functions.map((f) => [f.name, fmt(f.ms, 0), pct(f.ms)])]),
    '',
  ];
}
