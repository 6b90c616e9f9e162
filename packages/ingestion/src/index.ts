export * from './parse-event-line';
