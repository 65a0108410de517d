/** Every emitter, each a pure IR → FileMap. Order does not matter: paths never overlap. */
import type { IR } from '../ir/types.ts';
import type { FileMap } from '../write/file-map.ts';
import { emitJsonSchemas } from './json-schema/index.ts';

export const EMITTERS: readonly ((ir: IR) => FileMap)[] = [emitJsonSchemas];
