/**
 * The source paths written into artifacts (`// Source:` preambles, `x-source`, the manifest's `source`)
 * are relative to the project root, not to the working folder: `codegen --check` run from another
 * folder, another checkout path or another machine must see the same bytes. Diagnostics keep the
 * working-folder paths of the IR (what a terminal user can click); only the emitters see these.
 */
import path from 'node:path';
import type { FeatureIR, IR, SourceLocation } from '../ir/types.ts';

export interface ProjectPaths {
  /** The config file actually read, if any. */
  readonly configFile?: string;
  readonly featuresDir: string;
  readonly cwd: string;
}

/** The config file's folder; without a config file, the folder that holds the features folder. */
export function projectRoot(p: ProjectPaths): string {
  return p.configFile ? path.dirname(path.resolve(p.cwd, p.configFile)) : path.dirname(path.resolve(p.cwd, p.featuresDir));
}

/** `ir` with every location's file relative to `root`, forward slashes (`features/live/live.yaml`). */
export function withArtifactSources(ir: IR, root: string, cwd: string): IR {
  const cache = new Map<string, string>();
  const relocate = (location: SourceLocation): SourceLocation => {
    let file = cache.get(location.file);
    if (file === undefined) {
      file = path.relative(root, path.resolve(cwd, location.file)).split(path.sep).join('/');
      cache.set(location.file, file);
    }
    return { ...location, file };
  };
  const features = ir.features.map(
    (f): FeatureIR => ({ ...f, location: relocate(f.location), fields: f.fields.map((field) => ({ ...field, location: relocate(field.location) })) }),
  );
  return { ...ir, features };
}
