import type { IncomingMessage, ServerResponse } from "node:http";
import type { Store } from "../store/store.js";
import { type LoopHealthStores, readLoopHealth, registerLoopHealth } from "./loop-health-metrics.js";

/**
 * A small Prometheus registry (text exposition format 0.0.4). Backflow needs a handful of counters
 * and one gauge; a hand-written registry keeps the dependency list short and the output predictable.
 */

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

type Labels = Readonly<Record<string, string>>;

type Series = { labels: Labels; value: number };

type Family = {
  readonly name: string;
  readonly help: string;
  readonly type: "counter" | "gauge";
  readonly labelNames: readonly string[];
  readonly series: Map<string, Series>;
  /** Gauges whose value is read at scrape time (e.g. queued jobs from the store): one value, or one per label set. */
  collect?: () => Promise<number | ReadonlyArray<{ labels: Labels; value: number }>>;
};

export type Counter = { inc(labels?: Labels, by?: number): void; get(labels?: Labels): number };
export type Gauge = { set(value: number, labels?: Labels): void; get(labels?: Labels): number };

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}

function seriesKey(family: Family, labels: Labels): string {
  for (const name of Object.keys(labels)) {
    if (!family.labelNames.includes(name)) {
      throw new Error(`metric ${family.name} has no label "${name}"; declare it in labelNames`);
    }
  }
  return family.labelNames.map((n) => labels[n] ?? "").join("\u0000");
}

function formatLabels(family: Family, labels: Labels): string {
  const parts = family.labelNames
    .filter((n) => labels[n] !== undefined)
    .map((n) => `${n}="${escapeLabelValue(labels[n] ?? "")}"`);
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

/** A registry of counters and gauges that renders itself in the Prometheus text format. */
export class MetricsRegistry {
  readonly #families = new Map<string, Family>();

  #register(type: Family["type"], name: string, help: string, labelNames: readonly string[]): Family {
    if (!METRIC_NAME.test(name)) throw new Error(`invalid metric name "${name}"`);
    if (this.#families.has(name)) throw new Error(`metric ${name} is already registered`);
    const family: Family = { name, help, type, labelNames, series: new Map() };
    this.#families.set(name, family);
    return family;
  }

  /** A monotonically increasing counter; by convention the name ends in `_total`. */
  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    const family = this.#register("counter", name, help, labelNames);
    return {
      inc(labels = {}, by = 1) {
        if (by < 0) throw new Error(`counter ${name} cannot decrease`);
        const key = seriesKey(family, labels);
        const series = family.series.get(key) ?? { labels, value: 0 };
        series.value += by;
        family.series.set(key, series);
      },
      get: (labels = {}) => family.series.get(seriesKey(family, labels))?.value ?? 0,
    };
  }

  /** A gauge set by the caller, or read at scrape time when `collect` is given. */
  gauge(
    name: string,
    help: string,
    options: { labelNames?: readonly string[]; collect?: Family["collect"] } = {},
  ): Gauge {
    const family = this.#register("gauge", name, help, options.labelNames ?? []);
    if (options.collect) family.collect = options.collect;
    return {
      set(value, labels = {}) {
        family.series.set(seriesKey(family, labels), { labels, value });
      },
      get: (labels = {}) => family.series.get(seriesKey(family, labels))?.value ?? 0,
    };
  }

  /** Renders every family; a failing collector yields NaN rather than failing the scrape. */
  async render(): Promise<string> {
    const lines: string[] = [];
    for (const family of this.#families.values()) {
      if (family.collect) {
        const value = await family.collect().catch(() => Number.NaN);
        family.series.clear();
        for (const sample of typeof value === "number" ? [{ labels: {}, value }] : value) {
          family.series.set(seriesKey(family, sample.labels), sample);
        }
      }
      lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`);
      lines.push(`# TYPE ${family.name} ${family.type}`);
      const series = family.series.size === 0 ? [{ labels: {}, value: 0 }] : [...family.series.values()];
      for (const s of series) {
        lines.push(`${family.name}${formatLabels(family, s.labels)} ${formatValue(s.value)}`);
      }
    }
    return `${lines.join("\n")}\n`;
  }
}

/** The metrics Backflow exports. Created once per process and passed to the app, server and worker. */
export type BackflowMetrics = {
  readonly registry: MetricsRegistry;
  readonly webhooksReceived: Counter;
  readonly checkRunsWritten: Counter;
  readonly jobsProcessed: Counter;
  readonly jobsFailed: Counter;
  /** How each claimed job ended: done, retry, dead, released (attempt not spent) or lost (lease taken over). */
  readonly jobOutcomes: Counter;
  readonly githubRequests: Counter;
  /** Requests sent to GitHub by route template (`POST /repos/{owner}/{repo}/issues`) and outcome. */
  readonly githubRouteRequests: Counter;
  /** Reconciled writes by kind (issue, comment, check-run, …) and action (created, unchanged, dry-run, …). */
  readonly githubWrites: Counter;
  /** Signal deliveries answered by the intake, by outcome (accepted, duplicate, refused, unavailable, error). */
  readonly signalIntake: Counter;
};

/** Numeric value of a breaker status in `backflow_github_breaker_state`. */
export const BREAKER_STATE_VALUE = { closed: 0, "half-open": 1, open: 2 } as const;

/** Where the scrape-time gauges read from; each is optional. */
export type MetricSources = {
  readonly queuedJobs?: () => Promise<number>;
  readonly jobsByState?: () => Promise<Readonly<Record<string, number>>>;
  /** Seconds the oldest due job has waited (0 when none waits). */
  readonly queueAgeSeconds?: () => Promise<number>;
  readonly breakers?: () => ReadonlyArray<{ host: string; status: keyof typeof BREAKER_STATE_VALUE }>;
};

/** Creates the registry; the gauges of `sources` are read when /metrics is scraped. */
export function createMetrics(sources: MetricSources = {}): BackflowMetrics {
  const registry = new MetricsRegistry();
  const metrics: BackflowMetrics = {
    registry,
    webhooksReceived: registry.counter(
      "backflow_webhooks_received_total",
      "GitHub webhook deliveries received, by event name.",
      ["event"],
    ),
    checkRunsWritten: registry.counter(
      "backflow_check_runs_written_total",
      "Check runs created or updated on GitHub.",
      ["action"],
    ),
    jobsProcessed: registry.counter("backflow_jobs_processed_total", "Jobs completed by the worker.", [
      "kind",
    ]),
    jobsFailed: registry.counter(
      "backflow_jobs_failed_total",
      "Job attempts that threw (retried, released or dead-lettered).",
      ["kind"],
    ),
    jobOutcomes: registry.counter(
      "backflow_job_outcomes_total",
      "Claimed jobs by how they ended: done, retry, dead (dead-lettered), released (attempt not spent), lost (lease taken over).",
      ["kind", "outcome"],
    ),
    githubRequests: registry.counter(
      "backflow_github_requests_total",
      "Requests sent to the GitHub API, by method and response status (network-error when no answer came back).",
      ["method", "status"],
    ),
    githubRouteRequests: registry.counter(
      "backflow_github_route_requests_total",
      "Requests sent to the GitHub API by route template and outcome (ok, not-found, client-error, server-error, network-error).",
      ["route", "outcome"],
    ),
    githubWrites: registry.counter(
      "backflow_github_writes_total",
      "Writes reconciled with GitHub by kind and action; unchanged is a skipped no-op, dry-run a write logged and not sent.",
      ["kind", "action"],
    ),
    signalIntake: registry.counter(
      "backflow_signal_intake_total",
      "Signal deliveries answered by the intake: accepted (202), duplicate (200), refused (4xx), unavailable (503: the database could not be reached; the sender retries), error (other 5xx).",
      ["outcome"],
    ),
  };
  const { queuedJobs, jobsByState, queueAgeSeconds, breakers } = sources;
  registry.gauge(
    "backflow_jobs_queued",
    "Jobs waiting in the queue.",
    queuedJobs ? { collect: queuedJobs } : {},
  );
  registry.gauge("backflow_jobs", "Jobs in the store by state (dead = dead letters waiting for a person).", {
    labelNames: ["state"],
    ...(jobsByState && {
      collect: async () =>
        Object.entries(await jobsByState()).map(([state, value]) => ({ labels: { state }, value })),
    }),
  });
  registry.gauge(
    "backflow_jobs_queue_age_seconds",
    "How long the oldest due job has waited to be claimed.",
    queueAgeSeconds ? { collect: queueAgeSeconds } : {},
  );
  registry.gauge(
    "backflow_github_breaker_state",
    "GitHub circuit breaker per API host: 0 closed, 1 half-open (probing), 2 open (GitHub-bound jobs wait).",
    {
      labelNames: ["host"],
      ...(breakers && {
        collect: async () =>
          breakers().map(({ host, status }) => ({ labels: { host }, value: BREAKER_STATE_VALUE[status] })),
      }),
    },
  );
  return metrics;
}

/**
 * The metrics of a server backed by `store`: job gauges read the store's queue at scrape time;
 * `breakers` adds the GitHub circuit breakers' states.
 */
export function createStoreMetrics(
  store: Pick<Store, "jobs"> & Partial<LoopHealthStores>,
  options: { clock?: () => Date; breakers?: MetricSources["breakers"] } = {},
): BackflowMetrics {
  const clock = options.clock ?? (() => new Date());
  const metrics = createMetrics({
    queuedJobs: async () => (await store.jobs.countByState()).queued,
    jobsByState: () => store.jobs.countByState(),
    queueAgeSeconds: async () => {
      const now = clock();
      const oldest = await store.jobs.oldestDue({ now });
      return oldest ? Math.max(0, (now.getTime() - oldest.getTime()) / 1000) : 0;
    },
    ...(options.breakers && { breakers: options.breakers }),
  });
  // Loop health (findings, expectations, canaries, time to detect/resolve), when the store has those tables.
  const { audit, findings, expectations, canaries } = store;
  if (audit && findings && expectations)
    registerLoopHealth(
      metrics.registry,
      () => readLoopHealth({ audit, findings, expectations, ...(canaries ? { canaries } : {}) }),
      { clock },
    );
  return metrics;
}

/** The `backflow_signal_intake_total` outcome of an intake answer's status. */
function intakeOutcome(status: number): string {
  if (status === 202) return "accepted";
  if (status < 300) return "duplicate";
  if (status < 500) return "refused";
  return status === 503 ? "unavailable" : "error";
}

/**
 * Counts a route's answers in `backflow_signal_intake_total` by status: 202 accepted, 200 duplicate,
 * 4xx refused, 503 unavailable, other 5xx error. Requests the route does not answer are not counted.
 * The intake answers 503 only while the database cannot be reached (nothing stored, `retry-after`
 * set): an outage to alert on, not a bug, so it is kept apart from `error`.
 */
export function countSignalIntake<
  R extends (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>,
>(
  route: R,
  metrics: Pick<BackflowMetrics, "signalIntake">,
): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  return async (req, res) => {
    const answered = await route(req, res);
    if (answered) {
      metrics.signalIntake.inc({ outcome: intakeOutcome(res.statusCode) });
    }
    return answered;
  };
}
