/** The toolchain's version, from its package.json, for `featurestore --version`. */
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The first package.json above this module: the package root both when the sources run (cli/) and
 * when dist/cli/ does, and inside node_modules/featurestore once installed. Found by walking up, not
 * by a fixed `../`, because the two layouts sit at different depths.
 */
export function packageVersion(from: string = import.meta.dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    let text: string | undefined;
    try {
      text = readFileSync(path.join(dir, 'package.json'), 'utf8');
    } catch {
      text = undefined;
    }
    if (text !== undefined) {
      const version: unknown = (JSON.parse(text) as { version?: unknown }).version;
      if (typeof version !== 'string') throw new Error(`internal: ${path.join(dir, 'package.json')} has no version`);
      return version;
    }
    if (path.dirname(dir) === dir) throw new Error(`internal: no package.json above ${from}`);
  }
}
