/**
 * What the local proxies (delay-proxy.ts, fault-proxy.ts) do with a request they let through: send it to the
 * stand-in behind them unchanged and collect the whole answer.
 */
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";

/** The stand-in's whole answer. */
export interface Upstream {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/**
 * Sends `method path` with `headers` and `body` to `target`. The host header stays the one the client signed
 * (SigV4) for the proxy's address; the stand-ins check the signature's shape only.
 */
export function passOn(
  target: URL,
  method: string,
  path: string,
  headers: IncomingHttpHeaders,
  body: Buffer,
): Promise<Upstream> {
  return new Promise<Upstream>((resolve, reject) => {
    const req = httpRequest(new URL(path, target), { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}
