import { randomBytes } from "node:crypto";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { createSignalIntake, type SignalIntakeOptions } from "../../../src/server/signals/intake-handler.js";

export const SECRET = `whsec_${randomBytes(32).toString("base64")}`;
export const ROTATED_SECRET = `whsec_${randomBytes(32).toString("base64")}`;
export const OTHER_SECRET = `whsec_${randomBytes(32).toString("base64")}`;
export const TOKEN = randomBytes(24).toString("hex");

export const silentLog = { info: () => {}, warn: () => {}, error: () => {} };

/** Serves the intake on a loopback port; unhandled routes answer 404 like the real server. */
export async function startIntake(options: SignalIntakeOptions): Promise<{ port: number; server: Server }> {
  const handle = createSignalIntake(options);
  const server = createServer((req, res) => {
    handle(req, res).then(
      (handled) => {
        if (!handled) {
          res.statusCode = 404;
          res.end();
        }
      },
      (error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as AddressInfo).port, server };
}

export type Reply = { status: number; body: Record<string, unknown>; headers: Record<string, unknown> };

/** POSTs over a real socket; `chunked` omits Content-Length so only the byte count can stop the body. */
export function post(input: {
  port: number;
  path: string;
  body: string | Buffer;
  headers?: Record<string, string>;
  chunked?: boolean;
  method?: string;
}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const body = typeof input.body === "string" ? Buffer.from(input.body) : input.body;
    const req = request(
      {
        host: "127.0.0.1",
        port: input.port,
        path: input.path,
        method: input.method ?? "POST",
        headers: {
          "content-type": "application/json",
          ...(input.chunked ? {} : { "content-length": String(body.length) }),
          ...input.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({
            status: res.statusCode ?? 0,
            body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
            headers: res.headers,
          });
        });
      },
    );
    // The server may close the socket while a refused body is still being written; the reply decides.
    req.on("error", (error) => reject(error));
    if (input.chunked) {
      for (let offset = 0; offset < body.length; offset += 64 * 1024)
        req.write(body.subarray(offset, offset + 64 * 1024));
      req.end();
    } else {
      req.end(body);
    }
  });
}

/** Standard Webhooks headers made with the reference library, not with the code under test. */
export function signedHeaders(input: {
  secret: string;
  body: string;
  id?: string;
  at?: Date;
  source?: string;
}): Record<string, string> {
  const id = input.id ?? `msg_${randomBytes(8).toString("hex")}`;
  const at = input.at ?? new Date();
  return {
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": new Webhook(input.secret).sign(id, at, input.body),
    ...(input.source ? { "x-backflow-source": input.source } : {}),
  };
}

/** A canonical Backflow signal body. */
export function canonicalSignal(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: "metric_breach",
    severity: "error",
    dataset: { name: "analytics.orders" },
    column: "customer_id",
    measurement: { metric: "nullValues", value: 0.12, unit: "percent" },
    message: "null rate of customer_id is 12%",
    observedAt: "2026-11-25T06:00:00Z",
    ...overrides,
  };
}
