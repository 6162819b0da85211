/**
 * The local Lambda runtime: runs in its own process (started by lambda-process.ts), so the receiver bundle
 * sees exactly the environment a Lambda function would (ARNs, names, endpoint overrides — nothing else) and
 * its stdout is the function's log stream. Serves the bundle's `handler` through the local API Gateway.
 *
 * argv: <bundle path> <route path>. Tells the parent over IPC `{ kind: "ready", url }`; stops on a
 * `{ kind: "stop" }` message or when the parent goes away, not on SIGINT/SIGTERM while the parent is there.
 */
import { type ApiGatewayV2Handler, startHttpAdapter } from "../lambda/local";

/** Messages this process sends to its parent. */
export type LambdaHostMessage = { kind: "ready"; url: string } | { kind: "failed"; message: string };

function send(message: LambdaHostMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const [bundlePath, routePath] = process.argv.slice(2);
  if (bundlePath === undefined || routePath === undefined) {
    throw new Error("usage: lambda-host <bundle path> <route path>");
  }
  const bundle = require(bundlePath) as { handler?: ApiGatewayV2Handler };
  if (typeof bundle.handler !== "function")
    throw new Error(`${bundlePath} does not export a handler function`);
  const adapter = await startHttpAdapter({ handler: bundle.handler, path: routePath });
  const stop = () => {
    adapter.close().finally(() => process.exit(0));
  };
  process.on("message", (message: { kind?: string }) => {
    if (message.kind === "stop") stop();
  });
  // Ctrl-C in a terminal, `timeout`, `kill -TERM -<pgid>` and a container stop signal the whole process
  // group, this process included: leave shutdown to the parent, which unregisters the webhook first and then
  // sends "stop" (dying here would leave it writing to a closed channel). Without a parent, stop now.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (!process.connected) stop();
    });
  }
  // The parent died without saying stop (kill -9, crash): do not linger as an orphan holding a port.
  process.on("disconnect", stop);
  send({ kind: "ready", url: adapter.url });
}

main().catch((error: unknown) => {
  send({ kind: "failed", message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
