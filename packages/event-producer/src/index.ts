export * from './config';
export * from './event-generator';
export * from './event-sender';
export * from './line-type';
export * from './prng';
export * from './producer-metrics';
export * from './stream-runner';
