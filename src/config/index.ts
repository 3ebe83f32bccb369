// Pure config surface (safe to import from workflow code). File loading lives in ./load.
export * from './schema';
export * from './errors';
export * from './parse';
export * from './deployment';
