export * from './compose';
export * from './paths';
export * from './rules';
export * from './scrape-targets';
