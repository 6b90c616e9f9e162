// The package's surface, named one by one.
export {
  ensureHelm,
  HelmError,
  type HelmResult,
  helm,
  type K8sObject,
  parseManifests,
  type RenderOptions,
  renderChart,
} from './helm';
export { type ChartPaths, chartPaths, findRepoRoot } from './paths';
export {
  knownKinds,
  type SchemaProblem,
  type SchemaSource,
  type StrictResult,
  unreadProperties,
  validateStrict,
} from './strict-schema';
export { VALUES_BLOCK, type ValueRow, valueRows, valuesTable } from './values-table';
