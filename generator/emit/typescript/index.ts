export { emitTypeScript, featureModulePath, TS_OUTPUT_DIR, type TypeScriptEmitOptions } from './emit-typescript.ts';
