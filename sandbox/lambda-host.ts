/**
 * The local Lambda runtime: runs in its own process (started by lambda-process.ts), so the receiver bundle
 * sees exactly the environment a Lambda function would (ARNs, names, endpoint overrides — nothing else) and
 * its stdout is the function's log stream. Serves the bundle's `handler` through the local API Gateway.
 *
 * argv: <bundle path> <route path>. Tells the parent over IPC `{ kind: "ready", url }`; stops on a
 * `{ kind: "stop" }` message or when the parent goes away, not on SIGINT/SIGTERM while the parent is there.
 *
 * argv: <bundle path> --invoke: no HTTP; the parent invokes the handler over IPC (`{ kind: "invoke", id,
 * event }` → `{ kind: "result", id, value }` or `{ kind: "error", id, message }`), as the event source mapping
 * invokes the forwarder. Ready is then `{ kind: "ready", url: "" }`.
 */
import { type ApiGatewayV2Handler, startHttpAdapter } from "../local";
import { INVOKE_MODE } from "./lambda-process";

/** Messages this process sends to its parent. */
export type LambdaHostMessage =
  | { kind: "ready"; url: string }
  | { kind: "failed"; message: string }
  | { kind: "result"; id: number; value: unknown }
  | { kind: "error"; id: number; message: string };

/** What the parent sends. */
export type LambdaHostCommand = { kind: "stop" } | { kind: "invoke"; id: number; event: unknown };

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
  const handler = bundle.handler as unknown as (event: unknown) => Promise<unknown>;
  const adapter =
    routePath === INVOKE_MODE
      ? undefined
      : await startHttpAdapter({ handler: bundle.handler, path: routePath });
  const stop = () => {
    (adapter?.close() ?? Promise.resolve()).finally(() => process.exit(0));
  };
  process.on("message", (message: LambdaHostCommand) => {
    if (message.kind === "stop") stop();
    else if (message.kind === "invoke") {
      handler(message.event).then(
        (value) => send({ kind: "result", id: message.id, value }),
        (error: unknown) =>
          send({
            kind: "error",
            id: message.id,
            message: error instanceof Error ? error.message : String(error),
          }),
      );
    }
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
  send({ kind: "ready", url: adapter?.url ?? "" });
}

main().catch((error: unknown) => {
  send({ kind: "failed", message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
