/**
 * The sample IR with write access where the typed-write tests need it: the Object feature
 * (live::hakuna-host-stat-v1) and the History feature (azar-match::match-event-v1) name a writer in
 * `access.write`; delete::purge-request-v1 stays read-only (no consumer writes it), so its accessor
 * has no `put`.
 */
import type { FeatureIR, IR } from '../../generator/ir/types.ts';
import { purge, sampleIR } from './ts-sample-ir.ts';

export const WRITER = 'ingest-job';

const writable = (f: FeatureIR): FeatureIR => ({ ...f, access: { read: f.access.read, write: [WRITER] } });

export const writableSampleIR: IR = { ...sampleIR, features: sampleIR.features.map((f) => (f.fullName === purge.fullName ? f : writable(f))) };
