/** The sampler state in a SQLite file (the embedded online store's file), and in memory. */
import path from 'node:path';
import { MemorySamplerStateStore } from '../../runtime/downsync/index.ts';
import { SqliteSamplerStateStore } from '../../runtime/downsync/sqlite-sampler-state.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { samplerStateSuite } from './sampler-state.suite.ts';

const dir = await tempDir('sampler-state');
samplerStateSuite('SQLite', async () => new SqliteSamplerStateStore(path.join(dir, 'online.sqlite')));

const memory = new MemorySamplerStateStore();
// close() keeps nothing to release: the same object stands for "reopened".
samplerStateSuite('memory', async () => memory);
