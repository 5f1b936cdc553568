import { spawn } from "node:child_process";
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger, REDACTED, secretsFromEnv } from "../../src/server/create-logger.js";
import { loadPayload } from "../helpers/payloads.js";
import { findFreePort, testPrivateKey } from "../helpers/probot.js";
import { REPO_ROOT } from "../store/temp-db.js";

const WEBHOOK_SECRET = `wh-${randomBytes(16).toString("hex")}`;
const SIGNAL_SECRET = `whsec_${randomBytes(32).toString("base64")}`;
const BEARER = `tok${randomBytes(24).toString("hex")}`;
const CLIENT_SECRET = `cs-${randomBytes(12).toString("hex")}`;
const COOKIE = `session=${randomBytes(12).toString("hex")}`;
const PRIVATE_KEY = testPrivateKey();

type Run = { log: string; exitCode: number | null; sentSignatures: string[] };

/**
 * Runs `npm start`'s entry (src/main.ts) at trace level with secrets in the environment and in the
 * sources file, sends it webhooks and signals that carry those secrets in headers (right and wrong),
 * stops it, and returns everything it wrote.
 */
async function runServerWithSecrets(): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), "backflow-redaction-"));
  const sourcesFile = join(dir, "sources.yml");
  writeFileSync(
    sourcesFile,
    JSON.stringify({
      sources: [
        { id: "monitor", secrets: [SIGNAL_SECRET], repos: ["acme/shop"] },
        { id: "alerts", bearerTokens: [BEARER], repos: ["acme/shop"], format: "alertmanager" },
      ],
    }),
  );
  const port = await findFreePort();
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH,
      APP_ID: "123",
      PRIVATE_KEY,
      WEBHOOK_SECRET,
      GITHUB_CLIENT_SECRET: CLIENT_SECRET,
      DATABASE_URL: join(dir, "backflow.db"),
      BACKFLOW_SIGNAL_SOURCES: sourcesFile,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "trace",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout.on("data", (chunk: Buffer) => {
    log += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    log += chunk.toString();
  });
  const sentSignatures: string[] = [];
  try {
    const started = Date.now();
    while (!log.includes("Backflow is listening")) {
      if (child.exitCode !== null || Date.now() - started > 30_000)
        throw new Error(`server did not start:\n${log}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const url = `http://127.0.0.1:${port}`;
    const ping = JSON.stringify(loadPayload("ping"));
    for (const secret of [WEBHOOK_SECRET, "a-wrong-secret"]) {
      const signature = `sha256=${createHmac("sha256", secret).update(ping).digest("hex")}`;
      sentSignatures.push(signature);
      await fetch(`${url}/api/github/webhooks`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-github-event": "ping",
          "x-github-delivery": randomUUID(),
          "x-hub-signature-256": signature,
          authorization: `Bearer ${BEARER}`,
          cookie: COOKIE,
        },
        body: ping,
      });
    }
    const signal = JSON.stringify({ version: "4", status: "firing", receiver: "backflow", alerts: [] });
    for (const token of [BEARER, `${BEARER.slice(0, -4)}0000`]) {
      await fetch(`${url}/signals/alertmanager`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}`, cookie: COOKIE },
        body: signal,
      });
    }
    const id = `msg_${randomBytes(6).toString("hex")}`;
    const signed = new Webhook(SIGNAL_SECRET).sign(id, new Date(), "{}");
    sentSignatures.push(signed.slice(3));
    await fetch(`${url}/signals`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "webhook-id": id,
        "webhook-timestamp": String(Math.floor(Date.now() / 1000)),
        "webhook-signature": signed,
      },
      body: "{}",
    });
  } finally {
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
    rmSync(dir, { recursive: true, force: true });
  }
  return { log, exitCode: child.exitCode, sentSignatures };
}

describe("no secret reaches the log", () => {
  let run: Run;
  beforeAll(async () => {
    run = await runServerWithSecrets();
  }, 60_000);
  afterAll(() => {});

  it("logs the requests it served (the scan below is not of an empty log)", () => {
    expect(run.log).toContain("POST /api/github/webhooks 200");
    expect(run.log).toContain("POST /api/github/webhooks 401");
    expect(run.log).toContain("POST /signals/alertmanager");
    expect(run.log.split("\n").length).toBeGreaterThan(8);
  });

  it.each([
    ["the webhook secret", () => WEBHOOK_SECRET],
    ["a signal source's Standard Webhooks secret", () => SIGNAL_SECRET],
    ["its base64 key", () => SIGNAL_SECRET.slice("whsec_".length)],
    ["a signal source's bearer token", () => BEARER],
    ["a client secret from the environment", () => CLIENT_SECRET],
    ["the cookie", () => COOKIE],
  ])("never writes %s, at trace level, for right and wrong credentials", (_name, secret) => {
    expect(run.log).not.toContain(secret());
  });

  it("never writes the private key nor any line of it", () => {
    for (const line of PRIVATE_KEY.split("\n").filter((l) => l.length > 20 && !l.startsWith("-----")))
      expect(run.log).not.toContain(line);
  });

  it("never writes the signatures it was sent", () => {
    for (const signature of run.sentSignatures) expect(run.log).not.toContain(signature);
  });
});

describe("createLogger", () => {
  it("redacts credential headers by name and configured secrets by value, JSON-escaped too", () => {
    const lines: string[] = [];
    const { log, redactor } = createLogger({
      level: "info",
      secrets: secretsFromEnv({ PRIVATE_KEY: PRIVATE_KEY.replace(/\n/g, "\\n"), APP_ID: "123" }),
      destination: { write: (line: string) => void lines.push(line) },
    });
    redactor.add([BEARER]);

    log.info({ req: { headers: { authorization: "Basic dXNlcjpwYXNz", "x-hub-signature-256": "x" } } }, "a");
    log.info({ config: { privateKey: "k" } }, `token ${BEARER} and key ${PRIVATE_KEY}`);
    log.error({ err: new Error(`request failed with Bearer ${BEARER}`) }, "b");

    const text = lines.join("");
    expect(text).not.toContain(BEARER);
    expect(text).not.toContain("dXNlcjpwYXNz");
    expect(text).not.toContain(PRIVATE_KEY.split("\n")[1]);
    expect(text).toContain(`"authorization":"${REDACTED}"`);
    expect(text).toContain(`"x-hub-signature-256":"${REDACTED}"`);
    expect(text).toContain(`"privateKey":"${REDACTED}"`);
  });
});
