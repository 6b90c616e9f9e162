/** What identifies the alert a fault must raise: its name and the labels that must match. */
export interface ExpectedAlert {
  name: string;
  labels: Record<string, string | RegExp>;
}

/** One stretch of an alert being active, as Prometheus' /api/v1/alerts showed it over time. */
export interface AlertEpisode {
  name: string;
  labels: Record<string, string>;
  /** First poll that saw it pending (undefined: never seen pending, e.g. a `for: 0` alert). */
  pendingAt?: number;
  firingAt?: number;
  /** First poll after it was active that no longer listed it. */
  resolvedAt?: number;
}

interface ApiAlert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
}

export function matches(expected: ExpectedAlert, name: string, labels: Record<string, string>): boolean {
  if (name !== expected.name) return false;
  return Object.entries(expected.labels).every(([key, want]) => {
    const value = labels[key];
    if (value === undefined) return false;
    return typeof want === 'string' ? value === want : want.test(value);
  });
}

function keyOf(labels: Record<string, string>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * Polls Prometheus' active alerts and keeps every episode. A poll that fails (Prometheus itself
 * restarting) changes nothing: an alert is resolved only when a successful poll no longer lists it.
 */
export class AlertWatch {
  readonly episodes: AlertEpisode[] = [];
  private readonly open = new Map<string, AlertEpisode>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(
    private readonly prometheusUrl: string,
    private readonly intervalMs = 1_000,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async poll(now = Date.now()): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const response = await fetch(`${this.prometheusUrl}/api/v1/alerts`, {
        signal: AbortSignal.timeout(2_000),
      });
      if (!response.ok) return;
      const body = (await response.json()) as { data: { alerts: ApiAlert[] } };
      this.record(body.data.alerts, now);
    } catch {
      // Prometheus down or restarting: keep what we know
    } finally {
      this.polling = false;
    }
  }

  /** Applies one successful poll's list of active alerts. */
  record(alerts: ApiAlert[], now: number): void {
    const seen = new Set<string>();
    for (const alert of alerts) {
      const key = keyOf(alert.labels);
      seen.add(key);
      let episode = this.open.get(key);
      if (!episode) {
        const { alertname = '', ...labels } = alert.labels;
        episode = { name: alertname, labels: { alertname, ...labels } };
        this.open.set(key, episode);
        this.episodes.push(episode);
      }
      if (alert.state === 'pending') episode.pendingAt ??= now;
      if (alert.state === 'firing') episode.firingAt ??= now;
    }
    for (const [key, episode] of this.open) {
      if (seen.has(key)) continue;
      episode.resolvedAt = now;
      this.open.delete(key);
    }
  }

  /** Every episode of `expected`, oldest first. */
  episodesOf(expected: ExpectedAlert): AlertEpisode[] {
    return this.episodes.filter((e) => matches(expected, e.name, e.labels));
  }

  /** An episode of `expected` that is active now (pending or firing). */
  active(expected: ExpectedAlert): AlertEpisode | undefined {
    return [...this.open.values()].find((e) => matches(expected, e.name, e.labels));
  }
}

/** One notification the alert-sink logged (Alertmanager's webhook, one JSON line per alert). */
export interface Notification {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  startsAt: string;
}

/** The notifications in alert-sink's log (one JSON line each; other lines skipped). */
export function readNotifications(log: string): Notification[] {
  const out: Notification[] = [];
  for (const line of log.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const n = JSON.parse(line) as Notification;
      if ((n.status === 'firing' || n.status === 'resolved') && n.labels) out.push(n);
    } catch {
      // not a notification line
    }
  }
  return out;
}

/**
 * Whether the receiver got the episode's own firing and resolved notifications. Prometheus sends
 * `startsAt` as the time the alert began firing, which the watch sees within a poll or two, so a
 * notification belongs to the episode whose firing it starts: not before the episode began (less a
 * margin for a Prometheus that was unreachable), not after the watch saw it firing (plus a margin).
 * An earlier or later episode of the same alert does not count for this one.
 */
export function delivered(
  notifications: Notification[],
  expected: ExpectedAlert,
  episode: AlertEpisode,
): { firing: boolean; resolved: boolean } {
  const began = episode.pendingAt ?? episode.firingAt ?? 0;
  const fired = episode.firingAt ?? Number.POSITIVE_INFINITY;
  const ours = notifications.filter((n) => {
    const startsAt = Date.parse(n.startsAt);
    return (
      matches(expected, n.labels.alertname ?? '', n.labels) &&
      startsAt >= began - 120_000 &&
      startsAt <= fired + 30_000
    );
  });
  return {
    firing: ours.some((n) => n.status === 'firing'),
    resolved: ours.some((n) => n.status === 'resolved'),
  };
}

/** Whether two expectations name the same alert series (so their episodes cannot be told apart). */
export function sameAlert(a: ExpectedAlert, b: ExpectedAlert): boolean {
  const text = (e: ExpectedAlert) =>
    JSON.stringify([
      e.name,
      Object.entries(e.labels)
        .map(([k, v]) => [k, String(v)])
        .sort(),
    ]);
  return text(a) === text(b);
}

/**
 * Gives each fault the episode of its alert that began (pending, else firing) after the fault was
 * injected and before the next fault of the same alert was: one episode per fault, never shared.
 */
export function attribute(
  watch: AlertWatch,
  faults: { expected: ExpectedAlert; injectedAt: number | undefined }[],
): (AlertEpisode | undefined)[] {
  const claimed = new Set<AlertEpisode>();
  return faults.map((f, i) => {
    if (f.injectedAt === undefined) return undefined;
    const next = faults
      .slice(i + 1)
      .find((g) => g.injectedAt !== undefined && sameAlert(g.expected, f.expected))?.injectedAt;
    const episode = watch.episodesOf(f.expected).find((e) => {
      const began = e.pendingAt ?? e.firingAt;
      return (
        !claimed.has(e) &&
        e.firingAt !== undefined &&
        began !== undefined &&
        began >= f.injectedAt! - 2_000 &&
        (next === undefined || began < next)
      );
    });
    if (episode) claimed.add(episode);
    return episode;
  });
}
