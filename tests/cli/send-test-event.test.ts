import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { EXIT, USAGE } from "../../cli/args";
import { runCli } from "../../cli/main";
import { type CliIo, sendTestEvent, testEventNotice } from "../../cli/send-test-event";
import { isProductionApi } from "../../cli/stack";
import {
  type FakeEventBridge,
  type FakeSecretsManager,
  type HttpAdapter,
  LOCAL_CREDENTIALS,
  type LocalDynamo,
  type LocalStream,
  startHttpAdapter,
} from "../../local";
import { type LocalReceiver, startLocalReceiver } from "../support/local-receiver";

const ROOT = join(__dirname, "..", "..");
const SECRET = `whsec-${randomBytes(16).toString("hex")}`;

interface Captured {
  readonly io: CliIo;
  readonly out: string[];
  readonly err: string[];
  readonly pulumiCalls: string[][];
}

/** What the fake `pulumi` prints: an object is printed as JSON, a string as is, an Error fails the command. */
type PulumiAnswer = Record<string, unknown> | string | Error;

/** `pulumi config --json` of a stack whose apiBaseUrl is `url`, with the API key as the CLI shows a secret. */
function stackConfig(url?: string): Record<string, unknown> {
  return {
    "aws:region": { value: "eu-central-1", secret: false },
    "lemonmarkets:apiKey": { secret: true },
    ...(url === undefined ? {} : { "lemon-webhooks:apiBaseUrl": { value: url, secret: false } }),
  };
}

function answer(reply: PulumiAnswer): string {
  if (reply instanceof Error) throw reply;
  return typeof reply === "string" ? reply : JSON.stringify(reply);
}

function capture(
  env: Record<string, string>,
  outputs: PulumiAnswer = {},
  config: PulumiAnswer = stackConfig(),
): Captured {
  const out: string[] = [];
  const err: string[] = [];
  const pulumiCalls: string[][] = [];
  const io: CliIo = {
    env,
    stdout: (line) => out.push(line),
    stderr: (line) => err.push(line),
    runPulumi: async (args) => {
      pulumiCalls.push([...args]);
      if (args[0] === "stack") return answer(outputs);
      if (args[0] === "config") return answer(config);
      throw new Error(`unexpected pulumi ${args.join(" ")}`);
    },
    now: () => performance.now(),
  };
  return { io, out, err, pulumiCalls };
}

describe("Command: lemon-webhooks send-test-event against the local receiver", () => {
  let receiver: LocalReceiver;
  // The receiver's parts under the names the tests below use.
  let sm: FakeSecretsManager;
  let eb: FakeEventBridge;
  let stream: LocalStream;
  let dynamo: LocalDynamo;
  let adapter: HttpAdapter;

  beforeAll(async () => {
    receiver = await startLocalReceiver({ secret: SECRET, streamMaxAttempts: 1 });
    ({ secretsManager: sm, eventBridge: eb, stream, dynamo, adapter } = receiver);
  });

  afterAll(async () => {
    await receiver.close();
  });

  it("signs a synthetic event like lemon.markets and reports status and round-trip time", async () => {
    // Prepare
    const { io, out, err } = capture({ MY_SECRET: SECRET });
    const before = eb.entries.length;

    // Act
    const code = await runCli(
      [
        "send-test-event",
        "--endpoint",
        adapter.url,
        "--secret-from-env",
        "MY_SECRET",
        "--type",
        "account.created",
      ],
      io,
    );

    // Assess
    expect(code).toBe(EXIT.ok);
    expect(err).toEqual([]);
    expect(out).toHaveLength(3);
    expect(out[0]).toBe(testEventNotice("account.created"));
    expect(out[1]).toMatch(
      /^Sending account\.created evt_test_[0-9a-f]{32} to http:\/\/127\.0\.0\.1:\d+\/webhooks\/lemon-markets, signed with lemon-default$/,
    );
    expect(out[2]).toMatch(/^HTTP 200 in \d+ ms: stored\.$/);
    await stream.idle();
    const entries = eb.entries.slice(before);
    expect(entries).toHaveLength(1);
    const detail = JSON.parse(entries[0]!.detail);
    expect(detail).toEqual({
      id: out[1]!.split(" ")[2],
      type: "account.created",
      created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/),
      context: { test: "lemon-webhooks send-test-event" },
    });
    expect([...out, ...err].join("\n")).not.toContain(SECRET);
  });

  it("reads endpoint and secret via the stack outputs and confirms the event reached the bus", async () => {
    // Prepare
    const outputs = {
      endpointUrl: adapter.url,
      secretArn: sm.arn,
      dedupeTableName: dynamo.tableName,
      webhookId: "wbh_1",
    };
    const env = {
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    };
    const { io, out, err, pulumiCalls } = capture(
      env,
      outputs,
      stackConfig("https://sandbox.api.lemon.markets/v1"),
    );

    // Act
    const code = await runCli(["send-test-event", "--stack", "dev", "--expect-forwarded"], io);

    // Assess
    expect(code).toBe(EXIT.ok);
    expect(err).toEqual([]);
    expect(pulumiCalls).toEqual([
      ["stack", "output", "--json", "--stack", "dev"],
      ["config", "--json", "--stack", "dev"],
    ]);
    expect(out[0]).toBe(testEventNotice("order.executed"));
    const eventId = out[1]!.split(" ")[2]!;
    expect(out[2]).toMatch(/^HTTP 200 in \d+ ms: stored\.$/);
    expect(out[3]).toBe(
      `Confirmed: ${eventId} reached the event bus (the forwarder marked it forwardedAtMs in ${dynamo.tableName} after EventBridge accepted it).`,
    );
    expect(out).toHaveLength(4);
    expect(await dynamo.getItem(eventId)).toMatchObject({
      forwardedAtMs: { N: expect.stringMatching(/^\d+$/) },
    });
    expect(eb.entries.filter((e) => e.detail.includes(eventId))).toHaveLength(1);
    expect([...out, ...err].join("\n")).not.toContain(SECRET);
  });

  it("exits 1 and explains a rejected signature when the secret is not the deployed one", async () => {
    // Prepare
    const { io, out, err } = capture({ WRONG: "not-the-secret" });
    const before = eb.entries.length;

    // Act
    const code = await runCli(
      ["send-test-event", "--endpoint", adapter.url, "--secret-from-env", "WRONG"],
      io,
    );

    // Assess
    expect(code).toBe(EXIT.deliveryFailed);
    expect(out).toHaveLength(2);
    expect(err).toEqual([
      expect.stringMatching(
        /^HTTP 401 in \d+ ms: the receiver rejected the signature: the secret or the signature scheme used here is not the deployed one\.$/,
      ),
    ]);
    expect(eb.entries.length).toBe(before);
  });

  it("exits 3 naming the forwarder and reforward when the event is stored but never marked forwarded", async () => {
    // Prepare: EventBridge down; the stream gives up after its one attempt, as the mapping would after its retries.
    eb.failFor(60_000, "unavailable");
    const env = {
      MY_SECRET: SECRET,
      AWS_REGION: "eu-central-1",
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    };
    const { io, out, err } = capture(env);

    // Act
    const code = await sendTestEvent(
      {
        target: {
          kind: "endpoint",
          endpoint: adapter.url,
          secretEnvVar: "MY_SECRET",
          dedupeTable: dynamo.tableName,
        },
        type: "order.executed",
        expectForwarded: true,
        timeoutMs: 10_000,
        yes: false,
        confirmWindowMs: 300,
      },
      io,
    );
    await stream.idle();
    eb.clearFaults();

    // Assess
    const eventId = out[1]!.split(" ")[2]!;
    expect(code).toBe(EXIT.notForwarded);
    expect(err).toEqual([
      `Not confirmed: ${eventId} is stored in ${dynamo.tableName} but not marked forwarded; check the forwarder's logs and its failure queue (lemon-webhooks reforward re-forwards it).`,
    ]);
    expect(stream.failures.at(-1)?.eventIds).toEqual([eventId]);
  });

  it("exits 3 when the forward cannot be confirmed in the dedupe table", async () => {
    // Prepare
    const env = {
      MY_SECRET: SECRET,
      AWS_REGION: "eu-central-1",
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    };
    const { io, err } = capture(env);

    // Act
    const code = await runCli(
      [
        "send-test-event",
        "--endpoint",
        adapter.url,
        "--secret-from-env",
        "MY_SECRET",
        "--expect-forwarded",
        "--dedupe-table",
        "no-such-table",
      ],
      io,
    );

    // Assess
    expect(code).toBe(EXIT.notForwarded);
    expect(err).toEqual([
      "Cannot confirm: reading no-such-table failed (dynamodb unavailable (ResourceNotFoundException)); your credentials need dynamodb:GetItem on it.",
    ]);
  });

  it("prints the stack's dashboard URL when the stack exports one", async () => {
    // Prepare
    const dashboardUrl =
      "https://eu-central-1.console.aws.amazon.com/cloudwatch/home?region=eu-central-1#dashboards/dashboard/lemon-webhooks-dev";
    const env = {
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.endpoint,
    };
    const { io, out, err } = capture(
      env,
      { endpointUrl: adapter.url, secretArn: sm.arn, dashboardUrl },
      stackConfig("https://sandbox.api.lemon.markets/v1"),
    );

    // Act
    const code = await runCli(["send-test-event", "--stack", "dev"], io);

    // Assess
    expect(code).toBe(EXIT.ok);
    expect(err).toEqual([]);
    expect(out[2]).toBe(`Dashboard: ${dashboardUrl}`);
    expect(out[3]).toMatch(/^HTTP 200 in \d+ ms: stored\.$/);
    expect(out).toHaveLength(4);
  });

  it("exits 4 naming the fix when the stack outputs cannot be read or the credentials are missing", async () => {
    // Prepare
    const noStack = capture({}, new Error("no stack named 'prod' found"));
    const noCredentials = capture({}, { endpointUrl: adapter.url, secretArn: sm.arn });

    // Act
    const first = await runCli(["send-test-event", "--stack", "prod"], noStack.io);
    const second = await runCli(["send-test-event", "--stack", "dev"], noCredentials.io);

    // Assess
    expect(first).toBe(EXIT.setup);
    expect(noStack.err).toEqual([
      "could not read the outputs of stack prod (no stack named 'prod' found); check the stack name and that the Pulumi CLI is logged in",
    ]);
    expect(second).toBe(EXIT.setup);
    expect(noCredentials.err).toEqual([
      'AWS credentials are needed (AWS_ACCESS_KEY_ID is not set; Lambda sets it, locally export it; AWS_SECRET_ACCESS_KEY is not set; Lambda sets it, locally export it): export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), e.g. eval "$(aws configure export-credentials --format env)"',
    ]);
  });

  it("exits 4 naming the pulumi command and send-test-event when it prints something other than JSON", async () => {
    // Prepare
    const garbledOutputs = capture({}, "warning: Pulumi CLI update available\n{");
    const garbledConfig = capture({}, { endpointUrl: adapter.url, secretArn: sm.arn }, "error: no config");
    const smCalls = sm.calls.length;

    // Act
    const first = await runCli(["send-test-event", "--stack", "dev"], garbledOutputs.io);
    const second = await runCli(["send-test-event", "--stack", "dev"], garbledConfig.io);

    // Assess
    expect(first).toBe(EXIT.setup);
    expect(garbledOutputs.err).toEqual([
      "`pulumi stack output --json --stack dev` did not print JSON (SyntaxError), so lemon-webhooks cannot read the stack; run that command yourself to see what it prints",
    ]);
    expect(garbledOutputs.pulumiCalls).toEqual([["stack", "output", "--json", "--stack", "dev"]]);
    expect(second).toBe(EXIT.setup);
    expect(garbledConfig.err).toEqual([
      "`pulumi config --json --stack dev` did not print JSON (SyntaxError), so lemon-webhooks cannot read the stack; run that command yourself to see what it prints",
    ]);
    expect([...garbledOutputs.out, ...garbledConfig.out]).toEqual([]);
    expect(sm.calls.length).toBe(smCalls);
  });

  it("refuses a stack whose apiBaseUrl is production lemon.markets unless --yes is given", async () => {
    // Prepare
    const outputs = { endpointUrl: adapter.url, secretArn: sm.arn, dedupeTableName: dynamo.tableName };
    const env = {
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.endpoint,
    };
    const refused = capture(env, outputs, stackConfig("https://api.lemon.markets/v1"));
    const confirmed = capture(env, outputs, stackConfig("https://api.lemon.markets/v1"));
    const smCalls = sm.calls.length;
    const before = eb.entries.length;

    // Act
    const refusedCode = await runCli(["send-test-event", "--stack", "prod"], refused.io);
    const smCallsAfterRefusal = sm.calls.length;
    const confirmedCode = await runCli(["send-test-event", "--stack", "prod", "--yes"], confirmed.io);

    // Assess
    expect(refusedCode).toBe(EXIT.usage);
    expect(refused.err).toEqual([
      "stack prod is production (lemon-webhooks:apiBaseUrl = https://api.lemon.markets/v1): its consumers act on real events and would receive this test event too; pass --yes to send it anyway",
    ]);
    expect(refused.out).toEqual([]);
    expect(smCallsAfterRefusal).toBe(smCalls);
    expect(confirmedCode).toBe(EXIT.ok);
    expect(confirmed.err).toEqual([]);
    expect(confirmed.pulumiCalls).toEqual([["stack", "output", "--json", "--stack", "prod"]]);
    expect(confirmed.out[0]).toBe(testEventNotice("order.executed"));
    expect(confirmed.out).toHaveLength(3);
    expect(eb.entries.length).toBe(before + 1);
  });

  it("exits 1 when nothing answers at the endpoint", async () => {
    // Prepare
    const closed = await startHttpAdapter({ handler: async () => ({ statusCode: 200 }) });
    await closed.close();
    const { io, err } = capture({ MY_SECRET: SECRET });

    // Act
    const code = await runCli(
      ["send-test-event", "--endpoint", closed.url, "--secret-from-env", "MY_SECRET"],
      io,
    );

    // Assess
    expect(code).toBe(EXIT.deliveryFailed);
    expect(err).toEqual([
      `Could not reach ${closed.url} (ECONNREFUSED); check the URL and that the stack is deployed.`,
    ]);
  });
});

describe("Function: isProductionApi", () => {
  it.each([
    ["https://api.lemon.markets/v1", true],
    ["https://API.lemon.markets/v1/", true],
    ["https://api.lemon.markets", true],
    ["https://sandbox.api.lemon.markets/v1", false],
    ["http://127.0.0.1:4010/v1", false],
    ["https://api.lemon.markets.example.com/v1", false],
    ["not a url", false],
    [undefined, false],
  ])("calls %p production: %p", (url, expected) => {
    // Act
    const production = isProductionApi(url);

    // Assess
    expect(production).toBe(expected);
  });
});

describe("Command: lemon-webhooks send-test-event flags", () => {
  it.each([
    [
      ["send-test-event", "--secret", "abc"],
      "--secret is not supported: a secret on the command line lands in shell history; put it in an environment variable and pass --secret-from-env <VAR>",
    ],
    [
      ["send-test-event"],
      "say where to send: --stack <name>, or --endpoint <url> with --secret-from-env <VAR>",
    ],
    [["send-test-event", "--stack"], "--stack needs a value; see --help"],
    [
      ["send-test-event", "--stack", "dev", "--type", "Order Executed"],
      '--type "Order Executed" is not an event type; use <entity>.<action>, e.g. order.executed',
    ],
    [
      ["send-test-event", "--endpoint", "ftp://x", "--secret-from-env", "S"],
      "--endpoint must be an http(s) URL such as https://abc.execute-api.eu-central-1.amazonaws.com/webhooks/lemon-markets",
    ],
    [
      ["send-test-event", "--endpoint", "https://x", "--secret-from-env", "s3cr3t-value!"],
      "--secret-from-env takes the NAME of an environment variable (e.g. LEMON_SIGNATURE_SECRET), not the secret",
    ],
    [
      ["send-test-event", "--endpoint", "https://x", "--secret-from-env", "S", "--expect-forwarded"],
      "--expect-forwarded with --endpoint needs --dedupe-table <name> (the receiver's dedupeTableName output)",
    ],
    [
      ["send-test-event", "--stack", "dev", "--timeout", "0"],
      "--timeout must be a whole number of milliseconds from 1 to 120000",
    ],
    [["send-test-event", "--bogus"], "unknown option --bogus; see --help"],
    [
      ["trigger"],
      "unknown command trigger; the commands are send-test-event, reforward, replay and status (see --help)",
    ],
  ])("rejects %j with exit 2 and a message naming the fix", async (argv, message) => {
    // Prepare
    const { io, out, err, pulumiCalls } = capture({});

    // Act
    const code = await runCli(argv, io);

    // Assess
    expect(code).toBe(EXIT.usage);
    expect(err).toEqual([message]);
    expect(out).toEqual([]);
    expect(pulumiCalls).toEqual([]);
  });

  it("prints the help, naming every flag, the shell-history warning and the exit codes", async () => {
    // Prepare
    const { io, out, err } = capture({});

    // Act
    const code = await runCli(["send-test-event", "--help"], io);

    // Assess
    expect(code).toBe(EXIT.ok);
    expect(err).toEqual([]);
    expect(out).toEqual([USAGE]);
    for (const flag of [
      "--stack",
      "--endpoint",
      "--secret-from-env",
      "--type",
      "--expect-forwarded",
      "--dedupe-table",
      "--timeout",
      "--yes",
      "--help",
    ]) {
      expect(USAGE).toContain(flag);
    }
    expect(USAGE).toContain("shell history");
    expect(USAGE).toContain('"detail": {"id": [{"anything-but": {"prefix": "evt_test_"}}]}');
    expect(USAGE).toContain("Exit codes: 0 delivered (and confirmed), 1 delivery failed, 2 bad flags");
  });

  it("runs as the package's bin and exits with the command's code", async () => {
    // Act
    const result = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        [join(ROOT, "bin", "lemon-webhooks.js"), "send-test-event", "-h"],
        (_e, stdout) => resolve({ code: child.exitCode, stdout }),
      );
    });

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${USAGE}\n`);
  });
});
