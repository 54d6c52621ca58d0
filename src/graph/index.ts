/** Braid's pure graph layer: definition schema, validation, scheduling. No I/O. */
export * from './duration';
export * from './expressions';
export * from './graph';
export * from './schema';
export * from './validate';
export * from './scheduler';
export * from './critical-path';
export * from './failures';
export * from './secrets';
export * from './run-state';
export * from './own-property';
