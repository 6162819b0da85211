// One "Lambda container" for the peer suite: loads a built bundle at start (Lambda's init phase), then runs
// one invocation at a time as the parent asks over IPC, with a context whose deadline is `remainingMs` away.
// Its stdout is the function's log stream. Plain JavaScript, run by plain `node`, as Lambda runs the bundle.
const bundle = require(process.argv[2]);
if (typeof bundle.handler !== "function") throw new Error(`${process.argv[2]} exports no handler`);

process.on("message", (message) => {
  // Ended like a Lambda container is: at once (pooled keep-alive sockets would keep it alive otherwise).
  if (message.kind === "stop") process.exit(0);
  const endMs = Date.now() + message.remainingMs;
  const context = { getRemainingTimeInMillis: () => endMs - Date.now() };
  Promise.resolve()
    .then(() => bundle.handler(message.event, context))
    .then(
      (result) => process.send({ id: message.id, result }),
      (error) => process.send({ id: message.id, error: String(error?.message ?? error) }),
    );
});
process.send({ kind: "ready" });
