/**
 * Mapping keys the feature model cannot take, as diagnostics at the key: a key written twice (with
 * where it was first written) and complex keys (`? [a, b] : x`), which YAML allows but a JavaScript
 * object cannot hold: toJS() would silently stringify them (and log a warning to the terminal).
 */
import { isMap, isPair, isSeq, visit, type Document, type Node, type Pair } from 'yaml';
import type { Diagnostic } from '../diagnostics.ts';
import type { YamlPaths } from './yaml-paths.ts';

export const KEY_MESSAGES = {
  duplicateKey: (key: string, firstLine: number) => `duplicate key ${JSON.stringify(key)}: also at line ${firstLine}`,
  duplicateKeyHint: 'remove one of the two entries (the last one is the one checked)',
  complexKey: (kind: string) => `a mapping key must be a plain name, not ${kind}`,
  complexKeyHint: 'write the key as text; `? [a, b] : x` makes one key of a whole list or mapping, which feature files do not use',
} as const;

type Locate = (offset: number) => { readonly line: number; readonly column: number };

export interface KeyCheckOptions {
  /** The top-level keys are feature names, whose repeats the caller reports (with file and line, as across files). */
  readonly featureNames?: boolean;
}

/**
 * One walk over every mapping: keys written twice (reported at the repeat, naming the first) and
 * complex keys. This replaces the parser's `uniqueKeys` check, which compares each key with every
 * earlier key of its map: O(n²) for a map of n keys, 16 of the 18 s a 40k-field feature took.
 * Keys are compared as toJS() names them (`1` and `"1"` collide there, so they collide here too).
 */
export class KeyChecks {
  readonly duplicates: Diagnostic[] = [];
  readonly complexKeys: Diagnostic[] = [];

  constructor(
    private readonly file: string,
    doc: Document.Parsed,
    private readonly paths: YamlPaths,
    private readonly locate: Locate,
    options: KeyCheckOptions = {},
  ) {
    const root = doc.contents;
    // `? [a, b] : x` is a key that is a mapping whose own key is a list, both starting at `[`: one report.
    const complexAt = new Set<number>();
    visit(doc, {
      Map: (_key, map, path) => {
        const topLevel = map === root;
        const feature = topLevel ? undefined : this.featureOf(path);
        const seen = new Map<string, Pair>();
        for (const pair of map.items) {
          const key = pair.key as Node | null;
          const offset = key?.range?.[0] ?? map.range?.[0] ?? 0;
          const target = this.paths.deref(key);
          if ((isMap(target) || isSeq(target)) && !complexAt.has(offset)) {
            complexAt.add(offset);
            this.complexKeys.push(this.at(offset, KEY_MESSAGES.complexKey(isMap(target) ? 'a mapping' : 'a list'), KEY_MESSAGES.complexKeyHint, feature));
          }
          const text = this.paths.keyText(key);
          if (text === undefined) continue;
          const first = seen.get(text);
          if (!first) seen.set(text, pair);
          else if (!(topLevel && options.featureNames)) this.duplicates.push(this.duplicate(offset, text, first, topLevel ? text : feature));
        }
      },
    });
  }

  private duplicate(offset: number, text: string, first: Pair, feature: string | undefined): Diagnostic {
    const firstOffset = (first.key as Node | null)?.range?.[0] ?? 0;
    return this.at(offset, KEY_MESSAGES.duplicateKey(text, this.locate(firstOffset).line), KEY_MESSAGES.duplicateKeyHint, feature);
  }

  /** The feature a nested node belongs to: the key of the top-level pair on its path. */
  private featureOf(path: readonly unknown[]): string | undefined {
    const top = path.find((p) => isPair(p));
    return isPair(top) ? this.paths.keyText(top.key) : undefined;
  }

  private at(offset: number, message: string, hint: string, feature: string | undefined): Diagnostic {
    return { file: this.file, ...this.locate(offset), ...(feature !== undefined ? { feature } : {}), message, hint, severity: 'error' };
  }
}
