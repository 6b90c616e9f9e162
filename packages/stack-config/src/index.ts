export * from './compose';
export * from './grafana';
export * from './paths';
export * from './rules';
export * from './scrape-targets';
