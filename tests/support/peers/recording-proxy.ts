/**
 * A pass-through HTTP proxy in front of moto that records each AWS call (target and body) on its way: how the
 * peer tests see the exact bytes the bundle sent, which moto itself re-serialises before anyone can read them.
 */
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

/** One call as the bundle sent it. */
export interface RecordedCall {
  readonly target: string;
  readonly body: string;
}

/** A running proxy. */
export interface RecordingProxy {
  readonly endpoint: string;
  readonly calls: readonly RecordedCall[];
  close(): Promise<void>;
}

/** Starts the proxy on a free localhost port, forwarding to `target` (moto's endpoint). */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const calls: RecordedCall[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const header = req.headers["x-amz-target"];
      calls.push({ target: typeof header === "string" ? header : "", body: body.toString("utf8") });
      const forward = request(
        {
          hostname: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on("error", () => {
        res.writeHead(502);
        res.end();
      });
      forward.end(body);
    });
  });
  const port = await new Promise<number>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
  );
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
