import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { GITHUB_API } from "./github-nock.js";

/** One request a Backflow process sent to the stand-in, tagged with the instance that sent it. */
export type SeenRequest = {
  readonly instance: string;
  readonly method: string;
  /** The API path without `/api/v3` and without the query. */
  readonly path: string;
  readonly body: string;
  /** performance.now() when it arrived. */
  readonly at: number;
};

/**
 * What to do with a request before it is answered: resolve to answer it, or never resolve to hold it
 * (a GitHub that hangs; the request ends when its process dies).
 */
export type RequestGate = (request: SeenRequest) => void | Promise<void>;

export type StandInGitHub = {
  /**
   * A GHE_HOST for one Backflow process (with GHE_PROTOCOL=http): each instance gets its own port,
   * so every request is attributed to the instance that sent it.
   */
  hostFor(instance: string): Promise<string>;
  /** Every request so far, in arrival order. */
  readonly requests: readonly SeenRequest[];
  /** `METHOD path` of every request (of one instance when given). */
  seen(instance?: string): string[];
  gate: RequestGate;
  close(): Promise<void>;
};

// Answer headers a client reads: pagination, rate limits, content type.
const FORWARDED_ANSWER_HEADERS = [
  "content-type",
  "link",
  "x-ratelimit-remaining",
  "x-ratelimit-reset",
  "retry-after",
];

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.once("end", () => resolve(Buffer.concat(chunks)));
    req.once("error", reject);
  });
}

/**
 * GitHub for Backflow processes under test: HTTP servers on loopback (Probot reaches them through
 * GHE_HOST and GHE_PROTOCOL=http, under `/api/v3`) that replay each request against api.github.com
 * in THIS process, where nock answers it — so the interceptors of test/helpers/github-nock.ts (and
 * their OpenAPI conformance check) serve several processes at once, and their reply functions can keep
 * state (e.g. the check runs created so far) shared by all of them.
 */
export function startStandInGitHub(): StandInGitHub {
  const servers: Server[] = [];
  const requests: SeenRequest[] = [];

  const handle = async (instance: string, req: IncomingMessage, res: ServerResponse) => {
    const body = await readAll(req);
    const url = (req.url ?? "/").replace(/^\/api\/v3/, "");
    const method = req.method ?? "GET";
    const seen: SeenRequest = {
      instance,
      method,
      path: url.split("?")[0] ?? "/",
      body: body.toString("utf8"),
      at: performance.now(),
    };
    requests.push(seen);
    await standIn.gate(seen);
    try {
      const answer = await fetch(`${GITHUB_API}${url}`, {
        method,
        headers: {
          "content-type": String(req.headers["content-type"] ?? "application/json"),
          accept: String(req.headers.accept ?? "application/vnd.github+json"),
          authorization: String(req.headers.authorization ?? ""),
        },
        ...(body.length > 0 ? { body } : {}),
      });
      const headers: Record<string, string> = {};
      for (const name of FORWARDED_ANSWER_HEADERS) {
        const value = answer.headers.get(name);
        if (value !== null) headers[name] = value;
      }
      const text = await answer.text();
      res.writeHead(answer.status, headers);
      res.end(text);
    } catch (error) {
      // Nothing in nock matched: a loud 599 so the test's own assertions show which request it was.
      res.writeHead(599, { "content-type": "text/plain" });
      res.end(`the stand-in has no answer for ${method} ${url}: ${(error as Error).message}`);
    }
  };

  const standIn: StandInGitHub = {
    requests,
    gate: () => {},
    seen: (instance) =>
      requests
        .filter((r) => instance === undefined || r.instance === instance)
        .map((r) => `${r.method} ${r.path}`),
    async hostFor(instance) {
      const server = createServer((req, res) => {
        handle(instance, req, res).catch(() => res.destroy());
      });
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      return `127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    async close() {
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.closeAllConnections();
              server.close(() => resolve());
            }),
        ),
      );
    },
  };
  return standIn;
}
