/** generated/ts/index.ts: every feature's accessors grouped by namespace, and descriptors by name. */
import type CodeBlockWriter from 'code-block-writer';
import type { FeatureIR } from '../../ir/types.ts';
import { preamble } from '../../write/preamble.ts';
import { featureBindings } from './feature-module.ts';
import { propertyKey, quote, writeDocs } from './ts-literal.ts';

export interface IndexModuleInput {
  /** Features sorted by full name, each with its module specifier relative to ts/ (`./live/x-v1.js`). */
  readonly features: readonly { readonly feature: FeatureIR; readonly specifier: string }[];
  readonly runtimeImport: string;
}

/**
 * Import alias of a feature module: namespace and name, so two namespaces' `fooV1` stay apart (`__`
 * cannot come out of camelCasing); prefixed so it is an identifier even for a namespace like `3p`.
 */
function moduleAlias(feature: FeatureIR): string {
  const alias = `${feature.tsNamespace}__${feature.tsName}`.replace(/[^A-Za-z0-9_$]/g, '_');
  return /^[0-9]/.test(alias) ? `_${alias}` : alias;
}

export function writeIndexModule(w: CodeBlockWriter, input: IndexModuleInput): void {
  const aliases = new Map<string, FeatureIR>();
  // Grouped by tsNamespace in order of first appearance, which is sorted: features come sorted by name.
  const groups = new Map<string, Map<string, FeatureIR>>();
  for (const { feature } of input.features) {
    const alias = moduleAlias(feature);
    const group = groups.get(feature.tsNamespace) ?? new Map<string, FeatureIR>();
    const clash = aliases.get(alias) ?? group.get(feature.tsName);
    // The IR builder should have refused this; emitting would give a module that does not compile.
    if (clash) throw new Error(`internal: ${feature.fullName} and ${clash.fullName} get one TypeScript name`);
    aliases.set(alias, feature);
    group.set(feature.tsName, feature);
    groups.set(feature.tsNamespace, group);
  }

  w.write(preamble('slash', input.features.map((f) => f.feature.location.file))).blankLine();
  w.writeLine(`import type { FeatureReader } from ${quote(input.runtimeImport)};`);
  w.writeLine(`import { defaultFeatureReader } from ${quote(input.runtimeImport)};`);
  for (const { feature, specifier } of input.features) {
    w.writeLine(`import * as ${moduleAlias(feature)} from ${quote(specifier)};`);
  }
  w.blankLine();

  writeDocs(w, 'Typed accessors of every feature, grouped by namespace, all reading through `reader`.');
  w.write('export function createFeatures(reader: FeatureReader = defaultFeatureReader)').block(() => {
    if (groups.size === 0) {
      w.writeLine('return {};');
      return;
    }
    w.write('return ').inlineBlock(() => {
      for (const [namespace, members] of groups) {
        w.write(`${propertyKey(namespace)}: `).inlineBlock(() => {
          for (const [tsName, feature] of members) {
            w.writeLine(`${propertyKey(tsName)}: ${moduleAlias(feature)}.${featureBindings(feature).accessor}(reader),`);
          }
        });
        w.write(',').newLine();
      }
    });
    w.write(';').newLine();
  });
  w.blankLine();
  w.writeLine('export type Features = ReturnType<typeof createFeatures>;');
  w.blankLine();
  writeDocs(w, 'Accessors bound to the process-wide reader: call `configureFeatureReader(reader)` at startup.');
  w.writeLine('export const features: Features = createFeatures();');
  w.blankLine();
  writeDocs(w, 'Every feature descriptor, keyed by full name.');
  w.write('export const featureDescriptors = ');
  if (input.features.length === 0) w.write('{}');
  else {
    w.inlineBlock(() => {
      for (const { feature } of input.features) {
        w.writeLine(`${quote(feature.fullName)}: ${moduleAlias(feature)}.${featureBindings(feature).descriptor},`);
      }
    });
  }
  w.write(' as const;').newLine();
  w.blankLine();
  writeDocs(w, 'Full names of all features.');
  w.writeLine('export type FeatureName = keyof typeof featureDescriptors;');
}
