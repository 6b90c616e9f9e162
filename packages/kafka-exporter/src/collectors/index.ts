import type { Collector } from '../collector';
import { brokersCollector } from './brokers';
import { consumergroupsCollector } from './consumergroups';
import { storedOffsetsCollector } from './stored-offsets';
import { topicsCollector } from './topics';

/** Every collector, in output order. */
export const COLLECTORS: readonly Collector[] = [
  brokersCollector,
  topicsCollector,
  consumergroupsCollector,
  storedOffsetsCollector,
];

export function collectorByName(name: string): Collector | undefined {
  return COLLECTORS.find((c) => c.name === name);
}
