/*
 * The recommendation engine's pure core: plain functions over plain data, no I/O. Workers load
 * data into these types, call them shard by shard and cache the results; the evaluation harness
 * and the unit tests call exactly the same functions.
 */
export * from './types';
export * from './errors';
export * from './signals';
export * from './matrix';
export * from './neighbours';
export * from './popularity';
export * from './features';
export * from './rules';
export * from './profile';
export * from './diversity';
export * from './recommend-options';
export * from './recommend';
export * from './events';
export * from './reasons';
export * from './model';
