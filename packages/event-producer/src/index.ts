export * from './event-generator';
export * from './prng';
