/** Sample IR builders take the type-dependent properties loosely; this turns them into the IR's union. */
import type { FeatureType } from '../../core/feature-types.ts';
import type { FeatureKind } from '../../generator/ir/types.ts';

export interface LooseFeatureKind {
  readonly featureType?: FeatureType;
  readonly eventTimeField?: string | null;
  readonly maxEvents?: number | null;
}

export function featureKind(o: LooseFeatureKind): FeatureKind {
  if (o.featureType !== 'History') return { featureType: 'Object', eventTimeField: null, maxEvents: null };
  if (!o.eventTimeField) throw new Error('sample IR: a History feature needs its eventTimeField');
  return { featureType: 'History', eventTimeField: o.eventTimeField, maxEvents: o.maxEvents ?? null };
}
