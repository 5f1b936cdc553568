import { connect, createServer, type Server, type Socket } from "node:net";

/** A TCP proxy on loopback whose link to the target can be cut and restored, as a network failure would. */
export type TcpProxy = {
  /** The port clients connect to instead of the target's. */
  readonly port: number;
  /** Connections currently forwarded. */
  connections(): number;
  /**
   * Resets every open connection and refuses new ones (accepted, then reset at once) until restore():
   * what a client sees when the server's machine goes away, without freeing the port for anyone else.
   */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
};

/**
 * Starts a proxy from a free loopback port to `target` (e.g. PostgreSQL on 127.0.0.1:5432).
 * @example const proxy = await startTcpProxy({ host: "127.0.0.1", port: 5432 }); proxy.cut(); …; proxy.restore();
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let isCut = false;
  const server: Server = createServer((client) => {
    if (isCut) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(target);
    open.add(client);
    open.add(upstream);
    const drop = () => {
      open.delete(client);
      open.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("the proxy has no port");
  return {
    port: address.port,
    connections: () => open.size / 2,
    cut() {
      isCut = true;
      for (const socket of open) socket.resetAndDestroy();
      open.clear();
    },
    restore() {
      isCut = false;
    },
    close() {
      isCut = true;
      for (const socket of open) socket.destroy();
      open.clear();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
