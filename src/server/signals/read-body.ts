import type { IncomingMessage } from "node:http";
import { SignalError } from "../../core/errors.js";

function tooLarge(maxBytes: number): SignalError {
  return new SignalError(
    `the body is larger than ${maxBytes} bytes; split the payload into several deliveries`,
    413,
  );
}

/**
 * Reads the raw request body, refusing it (413) as soon as it would exceed `maxBytes`: first by the
 * declared Content-Length, then by counting bytes, so a chunked or lying sender cannot make the
 * server buffer more than the cap. The rest of a refused body is discarded, not buffered, so the
 * socket stays writable for the 413 response.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
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
