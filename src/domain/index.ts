// Pure reliability domain: metrics, statistics, preference aggregation, dataset builders, dedup. No I/O; safe to
// import from Temporal workflow code.
export type * from './types';
export * from './prng';
export * from './normalize';
export * from './consistency';
export * from './separation';
export * from './stability';
export * from './ranking';
export * from './bradleyTerry';
export * from './krippendorff';
export * from './intervals';
export * from './config';
export * from './reward';
export * from './objectives';
export * from './report';
export * from './dedup';
export * from './datasets/formats';
export * from './datasets/options';
export * from './datasets/solverPairs';
export * from './datasets/answerScores';
export * from './datasets/solverLists';
export * from './datasets/generatorRows';
export * from './datasets/formatSchemas';
export * from './usage';
export * from './summary';
export * from './artifacts';
