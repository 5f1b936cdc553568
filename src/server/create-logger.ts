import { type DestinationStream, type Logger, pino } from "pino";

/** What a redacted value becomes in a log line. */
export const REDACTED = "[redacted]";

/** Request and response headers that carry credentials, in any log field that holds headers. */
const SECRET_HEADERS = [
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "webhook-signature",
  "x-hub-signature",
  "x-hub-signature-256",
  "x-api-key",
];
/** Object keys whose values are credentials wherever they appear (e.g. a logged sources config). */
const SECRET_KEYS = [
  "secret",
  "secrets",
  "webhookSecret",
  "privateKey",
  "token",
  "bearerTokens",
  "password",
  "clientSecret",
];

/** pino `redact` paths: the headers above under any of the usual holders, and the secret keys. */
export const REDACT_PATHS: readonly string[] = [
  ...SECRET_HEADERS.flatMap((h) => [
    `headers["${h}"]`,
    `*.headers["${h}"]`,
    `*.*.headers["${h}"]`,
    `*.*.*.headers["${h}"]`,
    `["${h}"]`,
    `*["${h}"]`,
  ]),
  ...SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]),
];

/** Credential shapes redacted by value, whatever field or message they end up in. */
const SECRET_PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${REDACTED}`],
  [/\bgh[pousr]_[A-Za-z0-9]{20,}/g, REDACTED],
  [/\bwhsec_[A-Za-z0-9+/=]{8,}/g, REDACTED],
  [/\bsha(1|256)=[0-9a-f]{40,64}\b/gi, `sha$1=${REDACTED}`],
  [/\bv1,[A-Za-z0-9+/=]{20,}/g, `v1,${REDACTED}`],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, REDACTED],
];

/** Values shorter than this are not replaced by value (they would garble ordinary words). */
const MIN_SECRET_LENGTH = 6;

/** Replaces known secret values, and anything shaped like a credential, in text. */
export type SecretRedactor = {
  /** Adds configured secrets (e.g. once the signal sources file is read). */
  add(values: Iterable<string | undefined>): void;
  redact(text: string): string;
};

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A redactor for `values` plus every credential pattern; a value is also matched as JSON escapes it. */
export function createSecretRedactor(values: Iterable<string | undefined> = []): SecretRedactor {
  const secrets = new Set<string>();
  let matcher: RegExp | undefined;
  const add = (more: Iterable<string | undefined>) => {
    for (const value of more) {
      if (!value) continue;
      for (const form of [value, JSON.stringify(value).slice(1, -1), ...value.split(/\r?\n/)]) {
        if (form.trim().length >= MIN_SECRET_LENGTH) secrets.add(form.trim());
      }
    }
    // Longest first, so a whole key is replaced before one of its lines.
    const alternatives = [...secrets].sort((a, b) => b.length - a.length).map(escapeRegExp);
    matcher = alternatives.length > 0 ? new RegExp(alternatives.join("|"), "g") : undefined;
  };
  add(values);
  return {
    add,
    redact(text) {
      let out = matcher ? text.replace(matcher, REDACTED) : text;
      for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
      return out;
    },
  };
}

/** Environment variables whose values are credentials: the app's own and anything named like one. */
export function secretsFromEnv(env: NodeJS.ProcessEnv): string[] {
  const values: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!value || !/SECRET|TOKEN|PASSWORD|PRIVATE_KEY$|CREDENTIAL|API_KEY/i.test(name)) continue;
    values.push(value, value.replace(/\\n/g, "\n"));
    // PRIVATE_KEY may hold base64 of the PEM text.
    if (/PRIVATE_KEY$/.test(name)) values.push(Buffer.from(value, "base64").toString("utf8"));
  }
  // A URL's password (postgres://user:pass@host, redis://:pass@host).
  for (const name of ["DATABASE_URL", "REDIS_URL"]) {
    const password = /^[a-z][a-z0-9+.-]*:\/\/[^:/@]*:([^@/]+)@/i.exec(env[name] ?? "")?.[1];
    if (password) values.push(password, decodeURIComponent(password));
  }
  return values;
}

/**
 * Backflow's logger: pino with credential headers and keys redacted by path (`authorization`,
 * signatures, cookies, …), and every configured secret and credential-shaped value redacted from
 * the finished line. Add secrets read later (the signal sources file) with `redactor.add`.
 * @example const { log, redactor } = createLogger({ level: "info", secrets: secretsFromEnv(process.env) });
 */
export function createLogger(input: {
  level: string;
  name?: string;
  secrets?: Iterable<string | undefined>;
  destination?: DestinationStream;
}): { log: Logger; redactor: SecretRedactor } {
  const redactor = createSecretRedactor(input.secrets);
  const options = {
    level: input.level,
    name: input.name ?? "backflow",
    redact: { paths: [...REDACT_PATHS], censor: REDACTED },
    hooks: { streamWrite: (line: string) => redactor.redact(line) },
  };
  const log = input.destination ? pino(options, input.destination) : pino(options);
  return { log, redactor };
}

/** The Standard Webhooks secrets (and their decoded keys) and bearer tokens of the signal sources file. */
export function signalSourceSecrets(sources: {
  readonly sources: ReadonlyArray<{
    readonly secrets?: readonly string[];
    readonly bearerTokens?: readonly string[];
  }>;
}): string[] {
  return sources.sources.flatMap((source) => [
    ...(source.secrets ?? []).flatMap((secret) => [secret, secret.slice("whsec_".length)]),
    ...(source.bearerTokens ?? []),
  ]);
}
