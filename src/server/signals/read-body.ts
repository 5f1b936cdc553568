import type { IncomingMessage } from "node:http";
import { gunzip } from "node:zlib";
import { SignalError } from "../../core/errors.js";

function tooLarge(maxBytes: number, what = "body"): SignalError {
  return new SignalError(
    `the ${what} is larger than ${maxBytes} bytes; split the payload into several deliveries`,
    413,
  );
}

function readRaw(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > maxBytes) {
    req.resume();
    return Promise.reject(tooLarge(maxBytes));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total > maxBytes) {
        cleanup();
        req.resume();
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks, total));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const cleanup = (): void => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });
}

/** Decompresses a gzip body, stopping (413) as soon as the output would pass `maxBytes`. */
function gunzipCapped(body: Buffer, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    gunzip(body, { maxOutputLength: maxBytes }, (error, out) => {
      if (!error) return resolve(out);
      if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE")
        return reject(tooLarge(maxBytes, "decompressed body"));
      reject(
        new SignalError(`the gzip body could not be decompressed (${error.message}); send valid gzip`, 400),
      );
    });
  });
}

/**
 * Reads the request body, refusing it (413) as soon as it would exceed `maxBytes`: first by the
 * declared Content-Length, then by counting bytes, so a chunked or lying sender cannot make the
 * server buffer more than the cap. A `Content-Encoding: gzip` body (OpenLineage's HTTP transport
 * with `compression: gzip`) is decompressed with the same cap on the decompressed bytes, so a zip
 * bomb is a 413 too. Other encodings are refused with 415.
 */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const encoding = String(req.headers["content-encoding"] ?? "identity")
    .trim()
    .toLowerCase();
  if (encoding !== "identity" && encoding !== "" && encoding !== "gzip" && encoding !== "x-gzip") {
    req.resume();
    throw new SignalError(
      `Content-Encoding "${encoding.slice(0, 40)}" is not supported; send the body uncompressed or with gzip`,
      415,
    );
  }
  const raw = await readRaw(req, maxBytes);
  return encoding.endsWith("gzip") ? gunzipCapped(raw, maxBytes) : raw;
}
