/**
 * The receiver Lambda process of the sandbox under signals: a signal to the whole process group (Ctrl-C,
 * `timeout`, `kill -TERM -<pgid>`) must leave shutdown to the sandbox, and a host that died under the
 * sandbox must not crash it when it is stopped.
 */
import path from "node:path";
import { type LambdaProcess, startLambdaProcess } from "../../sandbox/lambda-process";
import { REPO_ROOT } from "../support/run-cli";

const BUNDLE = path.join(REPO_ROOT, "dist/lambda-bundle/receiver/index.js");

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
}

/** Blocks this thread (and so its event loop) for `ms`: nothing that arrives meanwhile is processed. */
function blockEventLoop(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

describe("Function: startLambdaProcess", () => {
  let lambda: LambdaProcess;
  const unhandled: unknown[] = [];
  const record = (error: unknown) => unhandled.push(error);

  beforeEach(async () => {
    unhandled.length = 0;
    process.on("uncaughtException", record);
    lambda = await startLambdaProcess({ bundlePath: BUNDLE, environment: {}, routePath: "/webhooks/lemon" });
  });
  afterEach(async () => {
    await lambda.close();
    process.off("uncaughtException", record);
  });

  it.each(["SIGTERM", "SIGINT"] as const)(
    "keeps serving on %s while the sandbox is there, and stops when the sandbox closes it",
    async (signal) => {
      // Prepare
      const pid = lambda.pid!;

      // Act
      process.kill(pid, signal);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const answer = await fetch(lambda.url, { method: "GET" });
      await answer.arrayBuffer();
      const aliveAfterSignal = alive(pid);
      await lambda.close();

      // Assess
      expect(aliveAfterSignal).toBe(true);
      // It answers: 500, as a function with no configuration does (the environment here is empty).
      expect(answer.status).toBe(500);
      expect(alive(pid)).toBe(false);
    },
  );

  it("stops without an EPIPE 'error' when the host died before the sandbox noticed", async () => {
    // Prepare
    const pid = lambda.pid!;

    // Act: the host is gone, but its closed channel is not processed before close() sends "stop"
    process.kill(pid, "SIGKILL");
    blockEventLoop(300);
    const closing = lambda.close();
    await closing;
    await new Promise((resolve) => setImmediate(resolve));

    // Assess
    expect(unhandled).toEqual([]);
    expect(alive(pid)).toBe(false);
  });
});
