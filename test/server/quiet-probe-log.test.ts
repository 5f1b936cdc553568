import { Writable } from "node:stream";
import { pino } from "pino";
import { Probot, Server } from "probot";
import { afterEach, describe, expect, it } from "vitest";
import { quietProbeLog } from "../../src/server/quiet-probe-log.js";
import { findFreePort, TEST_APP_ID, TEST_WEBHOOK_SECRET, testPrivateKey } from "../helpers/probot.js";

describe("quietProbeLog under Probot's own server (probot run)", () => {
  let server: Server | undefined;
  afterEach(async () => {
    await server?.stop();
  });

  it("logs successful probes and scrapes at debug, failed probes and other requests at info", async () => {
    const lines: Array<{ level: number; msg: string }> = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const port = await findFreePort();
    server = new Server({
      Probot: Probot.defaults({
        appId: TEST_APP_ID,
        privateKey: testPrivateKey(),
        secret: TEST_WEBHOOK_SECRET,
      }),
      log: pino({ level: "debug" }, sink),
      port,
      host: "127.0.0.1",
    });
    await server.load((_app, { addHandler }) => {
      addHandler((req, res) => {
        quietProbeLog(req, res);
        const path = (req.url ?? "").split("?")[0];
        if (path !== "/healthz" && path !== "/metrics" && path !== "/readyz") return false;
        res.writeHead(path === "/readyz" ? 503 : 200).end("ok\n");
        return true;
      });
    });
    await server.start();
    for (const path of ["/healthz", "/metrics?x=1", "/readyz", "/nowhere"])
      await (await fetch(`http://127.0.0.1:${port}${path}`)).text();
    await new Promise((resolve) => setImmediate(resolve));

    const levelOf = (start: string) => lines.find((l) => l.msg?.startsWith(start))?.level;
    expect(levelOf("GET /healthz 200")).toBe(20);
    expect(levelOf("GET /metrics?x=1 200")).toBe(20);
    expect(levelOf("GET /readyz 503")).toBe(30);
    expect(levelOf("GET /nowhere 404")).toBe(30);
  });
});
