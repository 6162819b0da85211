/**
 * Secret hygiene of the whole local flow (`startSandbox`: emulator, receiver bundle in its own process,
 * registration through the provider, local AWS): with the run's real API key and signature secret known,
 * nothing captured from the run may contain either — except the one store meant to hold the secret.
 */
import { sign } from "../../contract/signature";
import { type Sandbox, type SandboxProgress, startSandbox } from "../../sandbox";
import { leaks } from "../support/reliability/sweep";

describe("Reliability: secrets in the sandbox flow", () => {
  let sandbox: Sandbox;
  const progress: SandboxProgress[] = [];
  const receiverLogs: unknown[] = [];
  const written: string[] = [];
  const answers: string[] = [];
  let stopErrors: readonly unknown[] = [];
  let apiKey = "";
  let signatureSecret = "";

  beforeAll(async () => {
    // Capture everything this process prints while the sandbox runs, not only what the sandbox returns.
    const spies = [process.stdout, process.stderr].map((stream) =>
      jest.spyOn(stream, "write").mockImplementation((chunk: string | Uint8Array) => {
        written.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
        return true;
      }),
    );
    try {
      sandbox = await startSandbox({
        events: ["account.created", "order.executed"],
        seed: 11,
        onProgress: (step) => progress.push(step),
        onReceiverLog: (record) => receiverLogs.push(record),
      });
      apiKey = sandbox.apiKey;
      signatureSecret = sandbox.registration()?.outputs.signatureSecret ?? "";
      sandbox.emulator.emit("account.created", { account: "cusa_33531f7f801d4ce997747470ab7208fd" });
      sandbox.emulator.emit("order.executed", { account: "cusa_33531f7f801d4ce997747470ab7208fd" });
      // Hostile callers too: unsigned, signed with another secret, and a garbage body signed correctly.
      const garbage = "{not json";
      const hostile: ReadonlyArray<{ body: string; signature?: string }> = [
        { body: "{}" },
        { body: "{}", signature: sign("{}", "not-the-secret") },
        { body: garbage, signature: sign(garbage, signatureSecret) },
      ];
      for (const { body, signature } of hostile) {
        const headers: Record<string, string> = { "content-type": "application/json" };
        if (signature !== undefined) headers["lemon-markets-signature"] = signature;
        const response = await fetch(sandbox.receiverUrl, { method: "POST", headers, body });
        answers.push(`${response.status} ${await response.text()}`);
      }
      await sandbox.emulator.waitForDeliveries();
    } finally {
      stopErrors = (await sandbox?.stop())?.errors ?? [];
      for (const spy of spies) spy.mockRestore();
    }
  }, 60_000);

  it("ran the flow for real with a non-empty API key and signature secret", () => {
    // Assess
    expect(stopErrors).toEqual([]);
    expect(apiKey.length).toBeGreaterThan(16);
    expect(signatureSecret.length).toBeGreaterThan(16);
    expect(
      sandbox
        .forwarded()
        .map((event) => event.type)
        .sort(),
    ).toEqual(["account.created", "order.executed"]);
    expect(answers.map((answer) => answer.slice(0, 3))).toEqual(["401", "401", "400"]);
    expect(progress.map((step) => step.step)).toEqual(["emulator", "receiver", "registered"]);
  });

  it("keeps the API key and the signature secret out of every log line, answer, record and environment", () => {
    // Prepare
    const captures = {
      "process output": written.join(""),
      "progress notifications": JSON.stringify(progress),
      "receiver log lines": JSON.stringify(receiverLogs),
      "receiver log (LambdaProcess.logs)": JSON.stringify(sandbox.lambda.logs),
      "Lambda environment": JSON.stringify(sandbox.lambda.environment),
      "receiver answers": answers.join("\n"),
      "emulator API requests": JSON.stringify(sandbox.emulator.requests),
      "emulator delivery attempts": JSON.stringify(sandbox.emulator.deliveries),
      "events on the bus": JSON.stringify(sandbox.eventBridge.entries),
      "Secrets Manager calls": JSON.stringify(sandbox.secretsManager.calls),
    };

    // Act
    const found = leaks(captures, { apiKey, signatureSecret });

    // Assess: nothing found, and the detector does find the secret when it is there.
    expect(found).toEqual([]);
    expect(
      leaks({ probe: `token=${Buffer.from(signatureSecret).toString("base64")}` }, { signatureSecret }),
    ).toEqual(["signatureSecret in probe"]);
    expect(sandbox.lambda.environment.LEMON_SIGNATURE_SECRET_ARN).toBe(sandbox.secretsManager.arn);
    expect(JSON.stringify(sandbox.lambda.logs).length).toBeGreaterThan(200);
  });
});
