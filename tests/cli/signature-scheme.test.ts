/**
 * send-test-event signs with the deployed signature scheme (issue 14): the stack's `signatureScheme` output,
 * or `--signature-scheme`; a scheme the receiver is not configured for is a 401, and the receiver's probe
 * names it.
 */
import { randomBytes } from "node:crypto";
import { EXIT, parseSendTestEventArgs, UsageError } from "../../cli/args";
import { runCli } from "../../cli/main";
import type { CliIo } from "../../cli/send-test-event";
import { ENV_NAMES } from "../../contract/env-names";
import { buildAwsReceiver, createHandler } from "../../lambda/receiver/handler";
import {
  type FakeSecretsManager,
  type HttpAdapter,
  LOCAL_CREDENTIALS,
  type LocalDynamo,
  localReceiverEnv,
  startFakeSecretsManager,
  startHttpAdapter,
  startLocalDynamo,
} from "../../local";
import { SIGNATURE_PRESETS } from "../../contract/signature-presets";

// 64 hex characters, like lemon.markets' secrets: a valid key in every key encoding.
const SECRET = randomBytes(32).toString("hex");

describe("Flag: send-test-event --signature-scheme", () => {
  it("parses a preset or a JSON object", () => {
    const parsed = parseSendTestEventArgs(["--stack", "dev", "--signature-scheme", "stripe-like"]);
    expect(parsed).toEqual({
      help: false,
      options: {
        target: { kind: "stack", stack: "dev" },
        type: "order.executed",
        expectForwarded: false,
        timeoutMs: 10_000,
        yes: false,
        signatureScheme: SIGNATURE_PRESETS["stripe-like"],
      },
    });
  });

  it("rejects a bad scheme naming the flag and the field", () => {
    expect(() =>
      parseSendTestEventArgs(["--stack", "dev", "--signature-scheme", '{"encoding":"b32"}']),
    ).toThrow(new UsageError('[--signature-scheme.encoding] must be hex or base64 (got "b32")'));
  });
});

describe("Command: send-test-event signs with the deployed scheme", () => {
  let sm: FakeSecretsManager;
  let dynamo: LocalDynamo;
  let adapter: HttpAdapter;
  const lines: string[] = [];

  beforeAll(async () => {
    [sm, dynamo] = await Promise.all([
      startFakeSecretsManager({ versions: [{ secret: SECRET, createdAt: new Date() }] }),
      startLocalDynamo(),
    ]);
    // The deployed receiver verifies with hex-key.
    const env = {
      ...localReceiverEnv({ secretsManager: sm, dynamo }),
      [ENV_NAMES.signatureScheme]: "hex-key",
    };
    const write = (line: string) => lines.push(line);
    const handler = createHandler(
      () => buildAwsReceiver({ env, write, clock: { now: () => Date.now() } }),
      write,
    );
    adapter = await startHttpAdapter({ handler, path: "/webhooks/lemon-markets" });
  });

  afterAll(async () => {
    await Promise.all([adapter.close(), sm.close(), dynamo.close()]);
  });

  function stackIo(outputs: Record<string, unknown>) {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = {
      env: {
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.endpoint,
      },
      stdout: (line) => out.push(line),
      stderr: (line) => err.push(line),
      runPulumi: async (args) =>
        JSON.stringify(
          args[0] === "stack"
            ? { endpointUrl: adapter.url, secretArn: sm.arn, dedupeTableName: dynamo.tableName, ...outputs }
            : { "aws:region": { value: "eu-central-1", secret: false } },
        ),
      now: () => performance.now(),
    };
    return { io, out, err };
  }

  it("reads the scheme from the stack's signatureScheme output and is accepted", async () => {
    // Prepare
    const { io, out, err } = stackIo({ signatureScheme: "hex-key" });

    // Act
    const code = await runCli(["send-test-event", "--stack", "dev"], io);

    // Assess
    expect({ code, err }).toEqual({ code: EXIT.ok, err: [] });
    expect(out[1]).toMatch(/, signed with hex-key$/);
    expect(out[2]).toMatch(/^HTTP 200 in \d+ ms: stored\.$/);
  });

  it("with another --signature-scheme gets a 401, and the receiver's probe names that scheme", async () => {
    // Prepare
    const { io, out, err } = stackIo({ signatureScheme: "hex-key" });
    const logged = lines.length;

    // Act
    const code = await runCli(
      ["send-test-event", "--stack", "dev", "--signature-scheme", "standard-webhooks"],
      io,
    );

    // Assess
    expect(code).toBe(EXIT.deliveryFailed);
    expect(out[1]).toMatch(/, signed with standard-webhooks$/);
    expect(err).toEqual([
      expect.stringMatching(
        /^HTTP 401 in \d+ ms: the receiver rejected the signature: the secret or the signature scheme used here is not the deployed one\.$/,
      ),
    ]);
    const probe = lines
      .slice(logged)
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.msg === "signature_scheme_probe");
    expect(probe.map((line) => line.configCommand)).toEqual([
      "pulumi config set lemon-webhooks:signatureScheme standard-webhooks",
    ]);
  });

  it("signs with lemon-default for a stack without the output (deployed before it existed), and says so", async () => {
    const { io, out } = stackIo({});
    const code = await runCli(["send-test-event", "--stack", "dev"], io);
    expect(code).toBe(EXIT.deliveryFailed);
    expect(out[1]).toMatch(/, signed with lemon-default$/);
  });

  it("exits 4 naming the output when it is not a valid scheme", async () => {
    const { io, err } = stackIo({ signatureScheme: "hmac-md5" });
    const code = await runCli(["send-test-event", "--stack", "dev"], io);
    expect(code).toBe(EXIT.setup);
    expect(err).toEqual([
      expect.stringMatching(
        /^the signatureScheme output of stack dev is not a valid scheme \(\[signatureScheme\] unknown signature scheme preset "hmac-md5"; .*\); run pulumi up$/,
      ),
    ]);
  });
});
