/**
 * Which environment variable holds each consumer's API keys, for `featurestore serve`. The manifest
 * records them (`project.consumers[].apiKeysEnv`, from `api_keys_env` in featurestore.yaml), so a
 * server given only `--generated DIR` knows them. When a config file is there too, the two must agree:
 * a config edited without re-running codegen would otherwise serve with keys nobody expects (or none),
 * and the ACL in the same manifest would be just as stale.
 */
import type { ConfigSpec } from '../generator/spec/config-spec.ts';
import type { ConsumerKeyConfig } from '../runtime/server/index.ts';

export const SERVE_KEY_ERRORS = {
  staleManifest: (manifest: string, config: string, consumer: string, inConfig: string, inManifest: string) =>
    `${manifest} does not match ${config}: consumer "${consumer}" has ${inConfig} in the config but ${inManifest} in the manifest (run featurestore codegen)`,
  predatesKeys: (manifest: string) =>
    `${manifest} does not record the consumers' api_keys_env (written by an older codegen): run featurestore codegen, or pass --config FILE`,
  noKeys: (variables: readonly string[]) =>
    `no consumer has an API key: set ${variables.join(' or ')} (comma-separated keys), or pass --anonymous-consumer NAME to serve requests without a key as that consumer (development only)`,
  noKeyVariables: (manifest: string) =>
    `no consumer in ${manifest} has api_keys_env: give one in featurestore.yaml and run featurestore codegen, or pass --anonymous-consumer NAME (development only)`,
  unknownAnonymous: (name: string, known: readonly string[]) =>
    `invalid --anonymous-consumer "${name}": not a consumer of this project (expected one of ${known.join(', ') || 'none: declare consumers in featurestore.yaml'})`,
} as const;

type Variables = ReadonlyMap<string, string | null>;

/**
 * The consumers and their key variables, in the shape `apiKeysFromEnv` takes. Throws a one-line
 * message (the caller decides the exit code) when the manifest and the config disagree, or when
 * neither says.
 */
export function consumerKeyVariables(
  fromManifest: Variables | null,
  config: { readonly file: string; readonly spec: ConfigSpec } | null,
  manifestFile: string,
): ConsumerKeyConfig {
  const fromConfig: Variables | null = config
    ? new Map(Object.entries(config.spec.consumers).map(([name, c]) => [name, c?.api_keys_env ?? null]))
    : null;
  if (fromManifest === null && fromConfig === null) throw new KeyVariablesError(SERVE_KEY_ERRORS.predatesKeys(manifestFile));
  if (fromManifest !== null && fromConfig !== null && config) {
    const mismatch = firstMismatch(fromConfig, fromManifest);
    if (mismatch) throw new KeyVariablesError(SERVE_KEY_ERRORS.staleManifest(manifestFile, config.file, mismatch.consumer, mismatch.inConfig, mismatch.inManifest));
  }
  // An older manifest with a config: the config's variables, as serve read them before the manifest had them.
  const variables = (fromManifest ?? fromConfig) as Variables;
  return Object.fromEntries([...variables].map(([name, variable]) => [name, variable === null ? {} : { api_keys_env: variable }]));
}

export class KeyVariablesError extends Error {
  override readonly name = 'KeyVariablesError';
}

function firstMismatch(config: Variables, manifest: Variables): { consumer: string; inConfig: string; inManifest: string } | null {
  const describe = (v: Variables, name: string) => {
    if (!v.has(name)) return 'no such consumer';
    const variable = v.get(name);
    return variable ? `api_keys_env ${variable}` : 'no api_keys_env';
  };
  for (const name of [...new Set([...config.keys(), ...manifest.keys()])].sort()) {
    if (config.get(name) !== manifest.get(name) || config.has(name) !== manifest.has(name)) {
      return { consumer: name, inConfig: describe(config, name), inManifest: describe(manifest, name) };
    }
  }
  return null;
}
