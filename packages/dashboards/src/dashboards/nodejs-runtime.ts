import * as units from '@grafana/grafana-foundation-sdk/units';
import type { DashboardDefinition } from '../definition';
import { baseDashboard, labelVariable, row, table, timeseries } from '../panels';

const UID = 'reelwatch-nodejs-runtime';
// prom-client's default metric names; every Reelwatch service adds the label service=<name>.
const L = 'service=~"$service", instance=~"$instance"';
const LEGEND = '{{service}} {{instance}}';

function build() {
  return baseDashboard(
    'Reelwatch / Node.js runtime',
    UID,
    "The Node.js runtime of every Reelwatch service (prom-client's default metrics): CPU, memory, heap, event loop, garbage collection, handles.",
  )
    .withVariable(labelVariable('service', 'Service', 'label_values(nodejs_version_info, service)'))
    .withVariable(
      labelVariable(
        'instance',
        'Instance',
        'label_values(nodejs_version_info{service=~"$service"}, instance)',
      ),
    )
    .withRow(row('Process'))
    .withPanel(
      timeseries({
        title: 'CPU',
        description: 'CPU time used per second of wall time (1 = one core busy), user and system together.',
        unit: units.PercentUnit,
        min: 0,
        queries: [{ expr: `rate(process_cpu_seconds_total{${L}}[$__rate_interval])`, legend: LEGEND }],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Resident memory',
        description: 'Resident set size: memory the process holds in RAM (heap, code, buffers).',
        unit: units.BytesIEC,
        min: 0,
        queries: [{ expr: `process_resident_memory_bytes{${L}}`, legend: LEGEND }],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Heap used and total',
        description:
          "V8 heap in use and the heap size V8 has reserved; external memory is Buffers and native objects' memory.",
        unit: units.BytesIEC,
        min: 0,
        queries: [
          { expr: `nodejs_heap_size_used_bytes{${L}}`, legend: `used ${LEGEND}` },
          { expr: `nodejs_heap_size_total_bytes{${L}}`, legend: `total ${LEGEND}` },
          { expr: `nodejs_external_memory_bytes{${L}}`, legend: `external ${LEGEND}` },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Heap spaces used',
        description:
          'Used size of each V8 heap space (new, old, code, large object...), summed over the selected instances.',
        unit: units.BytesIEC,
        min: 0,
        queries: [
          {
            expr: `sum by (service, space) (nodejs_heap_space_size_used_bytes{${L}})`,
            legend: '{{service}} {{space}}',
          },
        ],
      }),
    )
    .withRow(row('Event loop'))
    .withPanel(
      timeseries({
        title: 'Event loop lag',
        description:
          'Event loop delay: p99 and mean over the sampling window. Long lags delay every request and scrape.',
        unit: units.Seconds,
        min: 0,
        queries: [
          { expr: `nodejs_eventloop_lag_p99_seconds{${L}}`, legend: `p99 ${LEGEND}` },
          { expr: `nodejs_eventloop_lag_mean_seconds{${L}}`, legend: `mean ${LEGEND}` },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Garbage collection time',
        description:
          'Time spent in garbage collection per second of wall time, by GC kind (minor, major, incremental, weakcb).',
        unit: units.PercentUnit,
        min: 0,
        queries: [
          {
            expr: `sum by (service, kind) (rate(nodejs_gc_duration_seconds_sum{${L}}[$__rate_interval]))`,
            legend: '{{service}} {{kind}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Active handles and requests',
        description:
          'libuv handles (sockets, timers, servers) and requests the process keeps open; a steady climb is a leak.',
        unit: units.Short,
        min: 0,
        queries: [
          { expr: `nodejs_active_handles_total{${L}}`, legend: `handles ${LEGEND}` },
          { expr: `nodejs_active_requests_total{${L}}`, legend: `requests ${LEGEND}` },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Open file descriptors',
        description: 'File descriptors open against the limit (sockets count too).',
        unit: units.Short,
        min: 0,
        queries: [
          { expr: `process_open_fds{${L}}`, legend: `open ${LEGEND}` },
          { expr: `process_max_fds{${L}}`, legend: `max ${LEGEND}` },
        ],
      }),
    )
    .withRow(row('Versions'))
    .withPanel(
      table({
        title: 'Node.js versions and uptime',
        description: 'Node.js version each instance runs and how long it has been up.',
        unit: units.Seconds,
        span: 24,
        queries: [
          {
            expr: `time() - process_start_time_seconds{${L}} * on (service, instance) group_left (version) nodejs_version_info{${L}}`,
            legend: LEGEND,
          },
        ],
      }),
    )
    .build();
}

export const nodejsRuntime: DashboardDefinition = {
  uid: UID,
  folder: 'platform',
  file: 'nodejs-runtime',
  build,
};
