import * as fsWatch from "node:fs";
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { describeZodIssues, parseYamlSafely } from "../../core/config/parse-config.js";
import { ConfigError } from "../../core/errors.js";
import { detectFormat } from "../../core/signals/detect-format.js";
import { durationMs } from "../../core/triage/hysteresis.js";

/** Bodies larger than this are refused unless the sources file says otherwise. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** The environment variable naming the sources file. */
export const SIGNAL_SOURCES_ENV = "BACKFLOW_SIGNAL_SOURCES";

// Standard Webhooks: `whsec_` + base64 of 24–64 random bytes.
const WebhookSecret = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, "a secret is `whsec_` followed by base64 (Standard Webhooks)")
  .refine((secret) => {
    const bytes = Buffer.from(secret.slice("whsec_".length), "base64").length;
    return bytes >= 24 && bytes <= 64;
  }, "a secret must decode to 24–64 random bytes; generate one with `echo whsec_$(openssl rand -base64 32)`");

const BearerToken = z
  .string()
  .min(32, "a bearer token must be at least 32 characters; generate one with `openssl rand -hex 32`")
  .regex(/^[\x21-\x7e]+$/, "a bearer token is printable ASCII without spaces");

const Repo = z
  .string()
  .regex(/^[A-Za-z0-9-]+\/[A-Za-z0-9_.-]+$/, "a repository is written owner/name")
  .transform((repo) => repo.toLowerCase());

export const SignalSourceSchema = z
  .strictObject({
    id: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, "a source id is 1–64 letters, digits, `_`, `.` or `-`")
      .describe("Names the sender; sent back in the `x-backflow-source` header."),
    secrets: z
      .array(WebhookSecret)
      .max(2, "at most 2 secrets at once: the current one and the one being rotated out")
      .optional()
      .describe("Standard Webhooks secrets (`whsec_…`); two while rotating."),
    bearerTokens: z
      .array(BearerToken)
      .max(2, "at most 2 bearer tokens at once: the current one and the one being rotated out")
      .optional()
      .describe("Tokens for senders that cannot sign (Alertmanager, OpenLineage clients)."),
    repos: z
      .array(Repo)
      .min(1, "list at least one repository (owner/name) this source may post signals to")
      .describe("Repositories this source may post to; it can never post anywhere else."),
    format: z
      .string()
      .min(1)
      .refine(
        (format) => {
          try {
            detectFormat(undefined, format);
            return true;
          } catch {
            return false;
          }
        },
        {
          message:
            "unknown format; use backflow, openlineage, great-expectations, dbt, alertmanager, datacontract-cli, soda or elementary",
        },
      )
      .optional()
      .describe(
        "Pinned payload format of this source (e.g. `alertmanager`): other formats, routes and x-backflow-format values are refused (415).",
      ),
  })
  .refine((source) => (source.secrets?.length ?? 0) + (source.bearerTokens?.length ?? 0) > 0, {
    message: "give the source at least one of `secrets` or `bearerTokens`, or nobody can post as it",
  });
export type SignalSource = z.infer<typeof SignalSourceSchema>;

const Duration = z
  .string()
  .regex(/^\d+[mhd]$/, "a duration is a number and m, h or d, e.g. 10m, 6h, 1d")
  .refine((text) => durationMs(text) > 0, "a duration must be more than 0");

export const SignalSourcesSchema = z
  .strictObject({
    maxBodyBytes: z
      .number()
      .int()
      .positive()
      .max(64 * 1024 * 1024, "keep maxBodyBytes at 64 MiB or less")
      .default(DEFAULT_MAX_BODY_BYTES)
      .describe("Request bodies larger than this are refused with 413."),
    maxFutureSkew: Duration.default("1d").describe(
      "A signal observed further in the future than this (sender clock skew) is refused.",
    ),
    maxSignalAge: Duration.default("400d").describe("A signal observed longer ago than this is refused."),
    bearerDedupeWindow: Duration.default("10m").describe(
      "An identical body from a bearer-token source within this window is a duplicate (a retry); after it, a new observation.",
    ),
    sources: z.array(SignalSourceSchema).describe("Who may post signals, and to which repositories."),
  })
  .superRefine((config, ctx) => {
    const seen = new Map<string, string>();
    config.sources.forEach((source, index) => {
      if (config.sources.findIndex((s) => s.id === source.id) !== index) {
        ctx.addIssue({
          code: "custom",
          path: ["sources", index, "id"],
          message: `duplicate source id "${source.id}"`,
        });
      }
      // A shared credential would make the sender ambiguous, and so its repositories.
      for (const credential of [...(source.secrets ?? []), ...(source.bearerTokens ?? [])]) {
        const owner = seen.get(credential);
        if (owner !== undefined && owner !== source.id) {
          ctx.addIssue({
            code: "custom",
            path: ["sources", index],
            message: `shares a secret or token with source "${owner}"; give every source its own`,
          });
        }
        seen.set(credential, source.id);
      }
    });
  });
export type SignalSources = z.infer<typeof SignalSourcesSchema>;

/** Validates the sources file text (YAML or JSON); errors name the key, e.g. `sources.0.repos`. */
export function parseSignalSources(text: string, file: string): SignalSources {
  const raw = parseYamlSafely(text, file);
  const result = SignalSourcesSchema.safeParse(raw ?? {});
  if (!result.success) throw new ConfigError(file, describeZodIssues(result.error.issues));
  return result.data;
}

/**
 * Reads the sources file named by `BACKFLOW_SIGNAL_SOURCES`. Returns null when the variable is unset
 * (the signal API is then disabled); throws ConfigError when the file is missing or invalid.
 */
export async function loadSignalSources(env: NodeJS.ProcessEnv): Promise<SignalSources | null> {
  const file = env[SIGNAL_SOURCES_ENV];
  if (file === undefined || file.trim() === "") return null;
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new ConfigError(file, [
      { path: "", message: `cannot read it (${(error as Error).message}); fix ${SIGNAL_SOURCES_ENV}` },
    ]);
  }
  return parseSignalSources(text, file);
}

/** The sources file as the intake reads it on each request: reloaded in place while it runs. */
export type SourcesHolder = { readonly current: () => SignalSources };

/**
 * Keeps the sources file current while the server runs: it is re-read when it changes on disk
 * (polled every `intervalMs`) and on SIGHUP. A new file that does not read or validate is logged
 * with why, and the previous configuration stays in force. `close()` stops watching.
 *
 * @example const holder = watchSignalSources({ file, initial, log }); createSignalIntake({ sources: holder, … })
 */
export function watchSignalSources(input: {
  file: string;
  initial: SignalSources;
  log: {
    info: (fields: Record<string, unknown>, message: string) => void;
    error: (fields: Record<string, unknown>, message: string) => void;
  };
  onReload?: (sources: SignalSources) => void;
  intervalMs?: number;
  signal?: NodeJS.Signals;
}): SourcesHolder & { reload: () => Promise<boolean>; close: () => void } {
  let current = input.initial;
  const reload = async (): Promise<boolean> => {
    try {
      current = parseSignalSources(await readFile(input.file, "utf8"), input.file);
      input.log.info(
        { file: input.file, sources: current.sources.map((s) => s.id) },
        "reloaded the signal sources file",
      );
      input.onReload?.(current);
      return true;
    } catch (error) {
      const why = error instanceof ConfigError ? error.message : (error as Error).message;
      input.log.error(
        { file: input.file },
        `kept the previous signal sources: the new file is not usable: ${why}`,
      );
      return false;
    }
  };
  const { watchFile, unwatchFile } = fsWatch;
  const onChange = (): void => void reload();
  watchFile(input.file, { interval: input.intervalMs ?? 2000, persistent: false }, onChange);
  const signal = input.signal ?? "SIGHUP";
  const onSignal = (): void => void reload();
  process.on(signal, onSignal);
  return {
    current: () => current,
    reload,
    close: () => {
      unwatchFile(input.file, onChange);
      process.off(signal, onSignal);
    },
  };
}
