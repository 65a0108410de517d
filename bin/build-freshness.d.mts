// Types of build-freshness.mjs, for the TypeScript that imports it (the vitest global setup).
export type DistState =
  | { readonly state: 'packaged' }
  | { readonly state: 'missing' }
  | { readonly state: 'stale'; readonly newer: string }
  | { readonly state: 'fresh' };
export declare const SOURCE_FOLDERS: readonly string[];
export declare const BUILD_INPUT_FILES: readonly string[];
export declare const STAMP_FILE: string;
export declare const SOURCE_MARKER: string;
export declare function distState(root: string): DistState;
export declare function staleMessage(state: DistState): string;
