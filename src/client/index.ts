// The Temporal client side of rloop: start, signal, update, query and follow campaigns, and their schedules. cli/
// parses arguments and prints what these return; report/ renders it.
export * from './campaign';
export * from './follow';
export * from './progress';
export * from './schedules';
export * from './failure';
export * from './preflight';
