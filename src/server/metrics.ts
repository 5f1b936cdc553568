import type { Store } from "../store/store.js";

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
  /** Gauges whose value is read at scrape time (e.g. queued jobs from the store). */
  collect?: () => Promise<number>;
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
  gauge(name: string, help: string, options: { collect?: () => Promise<number> } = {}): Gauge {
    const family = this.#register("gauge", name, help, []);
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
        family.series.set("", { labels: {}, value });
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
  readonly githubRequests: Counter;
};

/** Creates the registry; `queuedJobs` is read when /metrics is scraped. */
export function createMetrics(options: { queuedJobs?: () => Promise<number> } = {}): BackflowMetrics {
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
      "Job attempts that threw (retried or dead-lettered).",
      ["kind"],
    ),
    githubRequests: registry.counter(
      "backflow_github_requests_total",
      "Requests sent to the GitHub API, by method and response status.",
      ["method", "status"],
    ),
  };
  registry.gauge(
    "backflow_jobs_queued",
    "Jobs waiting in the queue.",
    options.queuedJobs ? { collect: options.queuedJobs } : {},
  );
  return metrics;
}

/** The metrics of a server backed by `store`: the queued-jobs gauge counts the store's queue. */
export function createStoreMetrics(store: Pick<Store, "jobs">): BackflowMetrics {
  return createMetrics({ queuedJobs: async () => (await store.jobs.list({ state: "queued" })).length });
}
