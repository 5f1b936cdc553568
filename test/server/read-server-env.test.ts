import { describe, expect, it } from "vitest";
import { MissingCredentialsError, readServerEnv } from "../../src/server/read-server-env.js";
import { testPrivateKey } from "../helpers/probot.js";

const noFile = (path: string): string => {
  throw new Error(`ENOENT: ${path}`);
};

function problemsOf(env: NodeJS.ProcessEnv, readFile = noFile): readonly string[] {
  try {
    readServerEnv(env, readFile);
    return [];
  } catch (error) {
    if (error instanceof MissingCredentialsError) return error.problems;
    throw error;
  }
}

describe("readServerEnv", () => {
  it("names every missing credential at once and explains how to create the app", () => {
    let message = "";
    try {
      readServerEnv({}, noFile);
    } catch (error) {
      message = (error as Error).message;
    }

    expect(message).toContain("APP_ID is not set");
    expect(message).toContain("PRIVATE_KEY (or PRIVATE_KEY_PATH) is not set");
    expect(message).toContain("WEBHOOK_SECRET is not set");
    expect(message).toContain("app.yml");
  });

  it.each([
    ["a non-numeric APP_ID", { APP_ID: "my-app" }, 'APP_ID must be the numeric App ID, not "my-app"'],
    [
      "a PRIVATE_KEY that is no key",
      { PRIVATE_KEY: "hunter2" },
      "PRIVATE_KEY is set but is not a PEM private key",
    ],
    [
      "an unreadable PRIVATE_KEY_PATH",
      { PRIVATE_KEY: undefined, PRIVATE_KEY_PATH: "/nope.pem" },
      "PRIVATE_KEY_PATH /nope.pem cannot be read",
    ],
    ["a bad PORT", { PORT: "http" }, 'PORT must be a TCP port number, not "http"'],
    [
      "a retention that is no number of days",
      { BACKFLOW_RETENTION_DAYS: "3 months" },
      'BACKFLOW_RETENTION_DAYS must be a whole number of days (0 keeps everything), not "3 months"',
    ],
    [
      "a REDIS_URL without the redis:// scheme",
      { REDIS_URL: "redis.internal:6379" },
      "REDIS_URL must be a redis:// or rediss:// URL",
    ],
    ["a REDIS_URL that is no URL", { REDIS_URL: "redis://:pa ss@" }, "REDIS_URL must be a redis://"],
  ])("reports %s", (_name, env, expected) => {
    const problems = problemsOf({ APP_ID: "1", WEBHOOK_SECRET: "s", PRIVATE_KEY: testPrivateKey(), ...env });

    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(expected);
  });

  it.each([
    ["PEM text", { PRIVATE_KEY: testPrivateKey() }],
    ["PEM with literal \\n", { PRIVATE_KEY: testPrivateKey().replace(/\n/g, "\\n") }],
    ["base64 of the PEM", { PRIVATE_KEY: Buffer.from(testPrivateKey()).toString("base64") }],
    ["a key file", { PRIVATE_KEY_PATH: "/keys/app.pem" }],
  ])("accepts the private key as %s", (_name, env) => {
    const settings = readServerEnv({ APP_ID: "42", WEBHOOK_SECRET: "s", ...env }, () => testPrivateKey());

    expect(settings.privateKey).toBe(testPrivateKey());
    expect(settings.appId).toBe(42);
    expect(settings.port).toBe(3000);
    expect(settings.retentionDays).toBe(90);
  });

  it.each([
    ["redis://127.0.0.1:6379", "redis://127.0.0.1:6379"],
    ["rediss://:secret@cache.internal:6380/2", "rediss://:secret@cache.internal:6380/2"],
    ["", undefined],
    [undefined, undefined],
  ])("reads REDIS_URL %s as the shared rate-limit store %s", (value, expected) => {
    const settings = readServerEnv(
      { APP_ID: "42", WEBHOOK_SECRET: "s", PRIVATE_KEY: testPrivateKey(), REDIS_URL: value },
      noFile,
    );

    expect(settings.redisUrl).toBe(expected);
  });
});
