import { readFileSync } from "node:fs";
import { BackflowError } from "../core/errors.js";

/** Everything `npm start` needs, read from the environment once at startup. */
export type ServerSettings = {
  /** The GitHub API root from GHE_HOST and GHE_PROTOCOL; api.github.com when absent. */
  readonly githubBaseUrl?: string;
  readonly appId: number;
  readonly privateKey: string;
  readonly webhookSecret: string;
  readonly port: number;
  readonly host: string | undefined;
  readonly webhookPath: string | undefined;
  readonly databaseUrl: string | undefined;
  readonly logLevel: string;
  readonly dryRun: boolean;
  /** Days of processed signals and finished jobs kept; 0 keeps everything. */
  readonly retentionDays: number;
  /** Body size and slow-client limits of the HTTP server; DEFAULT_HTTP_LIMITS when absent. */
  readonly limits?: HttpLimits;
  /** REDIS_URL: where instances share GitHub's rate limits (Probot's throttling); per process when absent. */
  readonly redisUrl?: string;
};

/** What one HTTP request may cost the server: body size and how long a slow client may hold a connection. */
export type HttpLimits = {
  /** Largest webhook body accepted (GitHub's own maximum is 25 MB); larger ones get 413 while streaming. */
  readonly maxWebhookBytes: number;
  /** The request line and headers must arrive within this time. */
  readonly headersTimeoutMs: number;
  /** The whole request (headers and body) must arrive within this time, however slowly it trickles. */
  readonly requestTimeoutMs: number;
  /** A connection with no request in flight is closed after this much silence. */
  readonly idleTimeoutMs: number;
};

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  maxWebhookBytes: 25 * 1024 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  idleTimeoutMs: 5_000,
};

const LIMIT_VARIABLES: ReadonlyArray<readonly [keyof HttpLimits, string]> = [
  ["maxWebhookBytes", "BACKFLOW_WEBHOOK_MAX_BYTES"],
  ["headersTimeoutMs", "BACKFLOW_HEADERS_TIMEOUT_MS"],
  ["requestTimeoutMs", "BACKFLOW_REQUEST_TIMEOUT_MS"],
  ["idleTimeoutMs", "BACKFLOW_IDLE_TIMEOUT_MS"],
];

/** The HTTP limits, each overridable by its BACKFLOW_* variable (a positive whole number). */
export function readHttpLimits(env: NodeJS.ProcessEnv, problems: string[] = []): HttpLimits {
  const limits: Record<keyof HttpLimits, number> = { ...DEFAULT_HTTP_LIMITS };
  for (const [key, variable] of LIMIT_VARIABLES) {
    const raw = env[variable];
    if (!raw) continue;
    const value = Number(raw);
    if (Number.isInteger(value) && value > 0) limits[key] = value;
    else problems.push(`${variable} must be a positive whole number, not "${raw}"`);
  }
  if (limits.headersTimeoutMs > limits.requestTimeoutMs)
    problems.push("BACKFLOW_HEADERS_TIMEOUT_MS must not exceed BACKFLOW_REQUEST_TIMEOUT_MS");
  return limits;
}

/**
 * REDIS_URL, checked: a `redis://` or `rediss://` URL, or undefined when unset. A typo here would
 * otherwise surface only as a Redis client retrying forever in the background.
 */
export function readRedisUrl(env: NodeJS.ProcessEnv, problems: string[] = []): string | undefined {
  const raw = env.REDIS_URL?.trim();
  if (!raw) return undefined;
  let protocol = "";
  try {
    protocol = new URL(raw).protocol;
  } catch {
    // Not echoed: the URL may carry a password.
  }
  if (protocol === "redis:" || protocol === "rediss:") return raw;
  problems.push(
    "REDIS_URL must be a redis:// or rediss:// URL (for example redis://redis.internal:6379/0), or unset to keep rate limits per instance",
  );
  return undefined;
}

/** The app settings that do not need credentials (also used under Probot's own runner). */
export function readAppSettings(env: NodeJS.ProcessEnv): {
  databaseUrl: string | undefined;
  retentionDays: number;
  app: { appId?: number; dryRun: boolean };
} {
  const appId = Number(env.APP_ID);
  const problems: string[] = [];
  const retentionDays = readRetentionDays(env, problems);
  if (problems.length > 0) throw new BackflowError(problems.join("; "));
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    retentionDays,
    app: {
      ...(Number.isInteger(appId) && appId > 0 ? { appId } : {}),
      dryRun: env.BACKFLOW_DRY_RUN === "true",
    },
  };
}

/** BACKFLOW_RETENTION_DAYS: days of finished work kept (default 90; 0 keeps everything). */
function readRetentionDays(env: NodeJS.ProcessEnv, problems: string[]): number {
  const retentionDays = env.BACKFLOW_RETENTION_DAYS ? Number(env.BACKFLOW_RETENTION_DAYS) : 90;
  if (!Number.isInteger(retentionDays) || retentionDays < 0)
    problems.push(
      `BACKFLOW_RETENTION_DAYS must be a whole number of days (0 keeps everything), not "${env.BACKFLOW_RETENTION_DAYS}"`,
    );
  return retentionDays;
}

const SETUP_HELP = `These come from a GitHub App. To create one from Backflow's manifest (app.yml):
  1. Register the app with the permissions and events listed in app.yml: either through GitHub's
     manifest flow (https://docs.github.com/apps/sharing-github-apps/registering-a-github-app-from-a-manifest),
     or by hand under Settings > Developer settings > GitHub Apps > New GitHub App
     (https://github.com/settings/apps/new, or https://github.com/organizations/<org>/settings/apps/new).
  2. Set APP_ID to the App ID shown on the app's settings page.
  3. Generate a private key there; set PRIVATE_KEY to the PEM text (or its base64),
     or PRIVATE_KEY_PATH to the downloaded .pem file.
  4. Set WEBHOOK_SECRET to the webhook secret you entered when registering the app.`;

/** Startup settings that are missing or unusable. The message says what to set and how to get it. */
export class MissingCredentialsError extends BackflowError {
  override readonly name = "MissingCredentialsError";
  constructor(readonly problems: readonly string[]) {
    super(`Backflow cannot start:\n${problems.map((p) => `  - ${p}`).join("\n")}\n\n${SETUP_HELP}`);
  }
}

const PEM = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/** A PEM key from PRIVATE_KEY (PEM, PEM with literal \n, or base64 of PEM) or PRIVATE_KEY_PATH. */
function readPrivateKey(env: NodeJS.ProcessEnv, readFile: (path: string) => string): string | string[] {
  if (env.PRIVATE_KEY) {
    const text = env.PRIVATE_KEY.replace(/\\n/g, "\n");
    if (PEM.test(text)) return text;
    const decoded = Buffer.from(text, "base64").toString("utf8");
    if (PEM.test(decoded)) return decoded;
    return ["PRIVATE_KEY is set but is not a PEM private key (nor base64 of one)"];
  }
  if (env.PRIVATE_KEY_PATH) {
    try {
      const text = readFile(env.PRIVATE_KEY_PATH);
      if (PEM.test(text)) return text;
      return [`PRIVATE_KEY_PATH ${env.PRIVATE_KEY_PATH} does not contain a PEM private key`];
    } catch (error) {
      return [`PRIVATE_KEY_PATH ${env.PRIVATE_KEY_PATH} cannot be read (${(error as Error).message})`];
    }
  }
  return ["PRIVATE_KEY (or PRIVATE_KEY_PATH) is not set"];
}

/**
 * Reads and checks the server's environment. Throws MissingCredentialsError naming every missing
 * or unusable variable at once.
 */
export function readServerEnv(
  env: NodeJS.ProcessEnv,
  readFile: (path: string) => string = (path) => readFileSync(path, "utf8"),
): ServerSettings {
  const problems: string[] = [];
  const appId = Number(env.APP_ID);
  if (!env.APP_ID) problems.push("APP_ID is not set");
  else if (!Number.isInteger(appId) || appId <= 0)
    problems.push(`APP_ID must be the numeric App ID, not "${env.APP_ID}"`);
  const key = readPrivateKey(env, readFile);
  if (Array.isArray(key)) problems.push(...key);
  if (!env.WEBHOOK_SECRET) problems.push("WEBHOOK_SECRET is not set");
  const port = env.PORT ? Number(env.PORT) : 3000;
  if (!Number.isInteger(port) || port <= 0 || port > 65535)
    problems.push(`PORT must be a TCP port number, not "${env.PORT}"`);
  const retentionDays = readRetentionDays(env, problems);
  const limits = readHttpLimits(env, problems);
  const redisUrl = readRedisUrl(env, problems);
  if (problems.length > 0 || Array.isArray(key)) throw new MissingCredentialsError(problems);
  return {
    appId,
    privateKey: key,
    webhookSecret: env.WEBHOOK_SECRET ?? "",
    port,
    host: env.HOST || undefined,
    webhookPath: env.WEBHOOK_PATH || undefined,
    databaseUrl: env.DATABASE_URL || undefined,
    logLevel: env.LOG_LEVEL || "info",
    dryRun: env.BACKFLOW_DRY_RUN === "true",
    retentionDays,
    limits,
    ...(redisUrl ? { redisUrl } : {}),
    // GitHub Enterprise Server (or a stand-in on loopback), as Probot's own runner reads it.
    ...(env.GHE_HOST ? { githubBaseUrl: `${env.GHE_PROTOCOL || "https"}://${env.GHE_HOST}/api/v3` } : {}),
  };
}
