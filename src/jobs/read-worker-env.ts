import { ConfigError, type ConfigProblem } from "../core/errors.js";
import { GITHUB_COM_API_HOST } from "./github-breakers.js";

/** How the job worker runs, read from the environment once at startup. */
export type WorkerSettings = {
  /** BACKFLOW_WORKER_CONCURRENCY: jobs one process runs at once. */
  readonly concurrency: number;
  /** BACKFLOW_WORKER_INSTALLATION_CONCURRENCY: jobs of one installation (account) running at once. */
  readonly groupConcurrency: number;
  /** BACKFLOW_JOB_LEASE_MS: a claim's lease, renewed every third of it while the job runs. */
  readonly leaseMs: number;
  /** BACKFLOW_SHUTDOWN_GRACE_MS: how long SIGTERM lets running jobs finish before releasing them. */
  readonly shutdownGraceMs: number;
  /** BACKFLOW_GITHUB_BREAKER_FAILURES: consecutive failed GitHub requests that open the breaker. */
  readonly breakerFailures: number;
  /** BACKFLOW_GITHUB_BREAKER_COOLDOWN_MS: how long it stays open before a probe (doubling, at most 5 min). */
  readonly breakerCooldownMs: number;
  /** BACKFLOW_AUDIT_RETENTION_DAYS: days of audit log kept; 0 keeps it all. */
  readonly auditRetentionDays: number;
  /** The GitHub API host the breaker of GitHub-bound jobs watches (GHE_HOST, or api.github.com). */
  readonly githubHost: string;
};

const VARIABLES = {
  concurrency: ["BACKFLOW_WORKER_CONCURRENCY", 4, 1],
  leaseMs: ["BACKFLOW_JOB_LEASE_MS", 30_000, 1000],
  shutdownGraceMs: ["BACKFLOW_SHUTDOWN_GRACE_MS", 10_000, 0],
  breakerFailures: ["BACKFLOW_GITHUB_BREAKER_FAILURES", 5, 1],
  breakerCooldownMs: ["BACKFLOW_GITHUB_BREAKER_COOLDOWN_MS", 30_000, 100],
  auditRetentionDays: ["BACKFLOW_AUDIT_RETENTION_DAYS", 365, 0],
} as const;

function whole(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  problems: ConfigProblem[],
): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (Number.isInteger(value) && value >= min) return value;
  problems.push({ path: name, message: `must be a whole number of at least ${min}, not "${raw}"` });
  return fallback;
}

/**
 * The worker settings, each overridable by its variable; throws ConfigError listing every bad value.
 * @example readWorkerEnv({ BACKFLOW_WORKER_CONCURRENCY: "8" }).groupConcurrency // 4
 */
export function readWorkerEnv(env: NodeJS.ProcessEnv): WorkerSettings {
  const problems: ConfigProblem[] = [];
  const read = (key: keyof typeof VARIABLES) => {
    const [name, fallback, min] = VARIABLES[key];
    return whole(env, name, fallback, min, problems);
  };
  const concurrency = read("concurrency");
  const groupConcurrency = whole(
    env,
    "BACKFLOW_WORKER_INSTALLATION_CONCURRENCY",
    Math.max(1, Math.ceil(concurrency / 2)),
    1,
    problems,
  );
  const settings: WorkerSettings = {
    concurrency,
    groupConcurrency,
    leaseMs: read("leaseMs"),
    shutdownGraceMs: read("shutdownGraceMs"),
    breakerFailures: read("breakerFailures"),
    breakerCooldownMs: read("breakerCooldownMs"),
    auditRetentionDays: read("auditRetentionDays"),
    githubHost: env.GHE_HOST || GITHUB_COM_API_HOST,
  };
  if (problems.length > 0) throw new ConfigError("the job worker's environment", problems);
  return settings;
}
