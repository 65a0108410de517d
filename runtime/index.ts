/** The runtime's public surface, as generated code and services import it. */
export * from './read/index.ts';
export * from './serde/index.ts';
