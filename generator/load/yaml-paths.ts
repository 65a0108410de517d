/**
 * Finds YAML nodes by path (map keys and sequence indexes) in time proportional to the path's length.
 *
 * Diagnostics look up one path per field and option, so a linear search of a map's items per lookup
 * made a feature with n fields cost O(n²) (40k fields: 18 s). Each map gets a key → pair index the
 * first time it is searched; the documents are never edited after parsing, so an index stays valid.
 *
 * Which pair a key names when it is written twice: the *last*, as the yaml library's toJS() keeps the
 * last value (in the first one's place), and that value is what the schema checks. Diagnostics then
 * point at the text that was actually checked; the duplicate itself is reported by the parser.
 */
import { isAlias, isMap, isScalar, isSeq, visit, type Alias, type Document, type Node, type Pair, type YAMLMap } from 'yaml';

export type PathSegment = string | number;

export class YamlPaths {
  private readonly keyIndex = new WeakMap<YAMLMap, Map<string, Pair>>();
  /** Alias → the node it stands for, built in one walk on first use (see aliasTargets). */
  private aliasTargets: Map<Alias, Node> | undefined;

  constructor(private readonly doc: Document.Parsed) {}

  /**
   * The node at a path, or undefined. With `throughAliases`, an alias on the way (or at the end)
   * stands for the node it names, as in the data toJS() produces; without, the walk stops at it,
   * so positions stay inside the text of the path's own feature.
   */
  node(path: readonly PathSegment[], throughAliases = false): Node | undefined {
    let current: unknown = this.doc.contents;
    for (const segment of path) {
      if (throughAliases) current = this.deref(current);
      if (isMap(current)) current = this.pair(current, String(segment))?.value ?? undefined;
      else if (isSeq(current) && typeof segment === 'number') current = current.items[segment];
      else return undefined;
    }
    return ((throughAliases ? this.deref(current) : current) ?? undefined) as Node | undefined;
  }

  /** The map key of the path's last segment, or for a sequence index the item itself. */
  keyNode(path: readonly PathSegment[]): Node | undefined {
    if (path.length === 0) return undefined;
    const parent = this.node(path.slice(0, -1));
    const last = path[path.length - 1]!;
    if (isMap(parent)) {
      const key = this.pair(parent, String(last))?.key;
      return isScalar(key) || isAlias(key) ? key : undefined;
    }
    if (isSeq(parent) && typeof last === 'number') return (parent.items[last] as Node | undefined) ?? undefined;
    return undefined;
  }

  /** The pair a key names in a map (the last, when written twice). */
  pair(map: YAMLMap, key: string): Pair | undefined {
    let index = this.keyIndex.get(map);
    if (!index) {
      index = new Map();
      for (const pair of map.items) {
        const text = this.keyText(pair.key);
        if (text !== undefined) index.set(text, pair);
      }
      this.keyIndex.set(map, index);
    }
    return index.get(key);
  }

  /**
   * A key as the property name toJS() gives it: scalars as text (null as ""), an alias as the text of
   * the scalar it names. Collection keys have no such name (toJS() would stringify them): undefined.
   */
  keyText(key: unknown): string | undefined {
    const node = this.deref(key);
    if (!isScalar(node)) return undefined;
    const value: unknown = node.value;
    if (value === null) return '';
    return typeof value === 'object' ? undefined : String(value);
  }

  /** What an alias stands for (following chains of aliases), or the node itself. */
  deref(node: unknown): unknown {
    let current = node;
    // An alias can only name a node defined before it, so a chain ends; the bound is belt and braces.
    for (let hops = 0; isAlias(current) && hops < 100; hops++) current = this.targets().get(current);
    return current;
  }

  private targets(): Map<Alias, Node> {
    this.aliasTargets ??= aliasTargets(this.doc);
    return this.aliasTargets;
  }
}

/**
 * What every alias of a document stands for, in one walk: Alias.resolve's rule (the last node
 * anchored with the alias's name before it) without its cost, a walk of the whole document per
 * call, which makes n aliases O(n × document). Unresolvable aliases are absent from the map.
 */
export function aliasTargets(doc: Document.Parsed): Map<Alias, Node> {
  const targets = new Map<Alias, Node>();
  const anchored = new Map<string, Node>();
  visit(doc, {
    Node: (_key, node) => {
      if (isAlias(node)) {
        const target = anchored.get(node.source);
        if (target) targets.set(node, target);
      } else if (node.anchor) anchored.set(node.anchor, node);
    },
  });
  return targets;
}
