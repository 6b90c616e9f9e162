// The package's public surface, named one by one.
export { type AlertEpisode, AlertWatch, type ExpectedAlert, matches } from './alert-watch';
export { type Fault, faultCatalogue, shuffled } from './faults';
export { type ChaosOptions, type ChaosReport, type FaultResult, runChaos } from './run';
export { scaleAlertmanagerConfig, scaleDuration, scaleExpression, scaleRuleFile } from './time-scale';
