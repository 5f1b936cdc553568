import { type CliCommand, EXIT, UsageError } from "../cli/command.js";
import { openStore } from "../store/open-store.js";
import type { JobRecord, JobState } from "../store/store.js";

const STATES: readonly JobState[] = ["queued", "running", "done", "dead"];

function oneLine(text: string | null, max: number): string {
  if (text === null) return "";
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** A fixed-width table of jobs for a terminal: id, kind, state, attempts, next run and last error. */
export function formatJobTable(jobs: readonly JobRecord[]): string {
  const rows = jobs.map((job) => [
    job.id,
    job.kind,
    job.state,
    `${job.attempts}/${job.maxAttempts}`,
    job.runAt.toISOString(),
    oneLine(job.lastError, 80),
  ]);
  const header = ["id", "kind", "state", "attempts", "run at", "last error"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

function parseState(value: unknown): JobState | undefined {
  if (value === undefined) return undefined;
  const state = STATES.find((s) => s === value);
  if (!state) throw new UsageError(`--state must be one of ${STATES.join(", ")}; got "${String(value)}"`);
  return state;
}

/** `backflow jobs`: inspect the durable queue and retry dead-lettered jobs. */
export const jobsCommand: CliCommand = {
  name: "jobs",
  summary: "List queued, running, done or dead-lettered jobs; retry a dead-lettered job",
  usage:
    "backflow jobs [--state queued|running|done|dead] [--kind name] [--limit n] [--json] [--retry id] [--database url]",
  options: {
    state: { type: "string" },
    kind: { type: "string" },
    limit: { type: "string" },
    json: { type: "boolean" },
    retry: { type: "string" },
    database: { type: "string" },
  },
  async run({ values }, io) {
    const url = typeof values.database === "string" ? values.database : io.env.DATABASE_URL;
    const limit = Number(values.limit ?? 50);
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError("--limit must be a positive integer");
    const state = parseState(values.state);
    const store = await openStore(url);
    try {
      if (typeof values.retry === "string") {
        const job = await store.jobs.get(values.retry);
        if (!job) throw new UsageError(`no job with id ${values.retry}`);
        if (!(await store.jobs.retryDead({ id: job.id, now: new Date() }))) {
          throw new UsageError(
            `job ${job.id} is ${job.state}, not dead; only dead-lettered jobs can be retried`,
          );
        }
        io.out(`requeued ${job.kind} job ${job.id} with a fresh budget of ${job.maxAttempts} attempts\n`);
        return EXIT.ok;
      }
      const kind = typeof values.kind === "string" ? values.kind : undefined;
      const jobs = (await store.jobs.list({ state, kind })).slice(-limit);
      if (values.json === true) {
        io.out(`${JSON.stringify(jobs)}\n`);
        return EXIT.ok;
      }
      const counts = await store.jobs.countByState();
      io.out(`${STATES.map((s) => `${counts[s]} ${s}`).join(", ")}\n\n`);
      io.out(jobs.length > 0 ? `${formatJobTable(jobs)}\n` : "no matching jobs\n");
      return EXIT.ok;
    } finally {
      await store.close();
    }
  },
};
