import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { sign } from "../../contract/signature";
import {
  type FakeEventBridge,
  type FakeSecretsManager,
  type LocalDynamo,
  localForwarderEnv,
  localReceiverEnv,
  startFakeEventBridge,
  startFakeSecretsManager,
  startLocalDynamo,
} from "../../local";
import { signedApiGatewayEvent } from "../support/apigw";
import { BODY, EVENT, SECRET } from "../support/events";

const run = promisify(execFile);
const ROOT = join(__dirname, "..", "..");
const BUNDLE = join(ROOT, "dist", "lambda-bundle", "receiver", "index.js");
const FORWARDER_BUNDLE = join(ROOT, "dist", "lambda-bundle", "forwarder", "index.js");

/** Runs the bundle's handler in a fresh node process with exactly `env`; returns its result and stdout. */
async function invokeBundle(
  event: object,
  env: Record<string, string>,
  bundle = BUNDLE,
): Promise<{ result: unknown; stdout: string }> {
  const script = `require(${JSON.stringify(bundle)}).handler(JSON.parse(process.argv[1]))
    .then((r) => process.stderr.write(JSON.stringify(r)))`;
  const { stdout, stderr } = await run(process.execPath, ["-e", script, JSON.stringify(event)], {
    env: { PATH: process.env.PATH ?? "", ...env },
  });
  return { result: JSON.parse(stderr), stdout };
}

describe("The built Lambda bundle", () => {
  const bundle = readFileSync(BUNDLE);
  const text = bundle.toString("utf8");

  it("loads and exports a handler function and nothing else", async () => {
    // Act
    const { stdout } = await run(process.execPath, [
      "-e",
      `const m = require(${JSON.stringify(BUNDLE)}); console.log(JSON.stringify(Object.keys(m)), typeof m.handler)`,
    ]);

    // Assess
    expect(stdout.trim()).toBe('["handler"] function');
  });

  it("contains neither axios, Pulumi, the local fakes nor absolute paths", () => {
    for (const forbidden of ["axios", "@pulumi", "dynalite", "startFakeEventBridge", "@aws-sdk", ROOT]) {
      expect(text).not.toContain(forbidden);
    }
  });

  it("has no EventBridge client: the receiver only stores", () => {
    expect(text).not.toContain("PutEvents");
    expect(text).toContain("PutItem");
  });

  it("stays within the 100 KB size budget", () => {
    expect(bundle.length).toBeLessThanOrEqual(100 * 1024);
    expect(gzipSync(bundle).length).toBeLessThan(bundle.length);
  });

  it("is byte-identical when rebuilt", async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), "lemon-bundle-"));
    try {
      // Act
      await run(
        process.execPath,
        [join(ROOT, "scripts", "build-lambda.mjs"), "--outfile", join(dir, "a.js")],
        { cwd: "/" },
      );
      await run(
        process.execPath,
        [join(ROOT, "scripts", "build-lambda.mjs"), "--outfile", join(dir, "b.js")],
        { cwd: ROOT },
      );

      // Assess
      expect(readFileSync(join(dir, "a.js")).equals(bundle)).toBe(true);
      expect(readFileSync(join(dir, "b.js")).equals(bundle)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe("run with its environment pointing at the local stand-ins", () => {
    let sm: FakeSecretsManager;
    let eb: FakeEventBridge;
    let dynamo: LocalDynamo;
    beforeAll(async () => {
      sm = await startFakeSecretsManager({
        versions: [{ secret: SECRET, createdAt: new Date("2026-01-01T00:00:00Z") }],
      });
      eb = await startFakeEventBridge();
      dynamo = await startLocalDynamo();
    });
    afterAll(async () => {
      await Promise.all([sm.close(), eb.close(), dynamo.close()]);
    });

    it("verifies a signed event and stores it; the forwarder bundle puts that stored item on EventBridge", async () => {
      // Prepare
      const env = localReceiverEnv({ secretsManager: sm, dynamo });

      // Act
      const { result, stdout } = await invokeBundle(signedApiGatewayEvent(BODY, "req-bundle"), env);
      const item = await dynamo.getItem(EVENT.id);
      const forwarded = await invokeBundle(
        { Records: [{ eventName: "INSERT", dynamodb: { SequenceNumber: "1", NewImage: item } }] },
        localForwarderEnv({ eventBridge: eb, dynamo, eventBusName: "bundle-bus" }),
        FORWARDER_BUNDLE,
      );

      // Assess
      expect(result).toEqual({
        statusCode: 200,
        headers: { "content-type": "application/json" },
        body: '{"status":"stored"}',
      });
      expect(forwarded.result).toEqual({ batchItemFailures: [] });
      expect(
        eb.entries.map(({ eventBusName, source, detailType, detail }) => ({
          eventBusName,
          source,
          detailType,
          detail,
        })),
      ).toEqual([
        { eventBusName: "bundle-bus", source: "lemon.markets", detailType: "account.created", detail: BODY },
      ]);
      expect((await dynamo.getItem(EVENT.id))?.forwardedAtMs).toEqual({ N: expect.stringMatching(/^\d+$/) });
      const lines = stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatchObject({
        level: "info",
        outcome: "stored",
        eventId: EVENT.id,
        requestId: "req-bundle",
      });
      expect(stdout).not.toContain(SECRET);
      expect(stdout).not.toContain(sign(BODY, SECRET));
    });

    it("answers 401 to a forged event and stores nothing", async () => {
      // Prepare
      const env = localReceiverEnv({ secretsManager: sm, dynamo });
      const body = BODY.replace(EVENT.id, "evt_forged");

      // Act
      const { result } = await invokeBundle(signedApiGatewayEvent(body, "req-bundle", "forged"), env);

      // Assess
      expect(result).toMatchObject({ statusCode: 401 });
      expect(await dynamo.getItem("evt_forged")).toBeUndefined();
    });

    it("answers 500 naming nothing secret when its environment is incomplete, and logs which variable is missing", async () => {
      // Prepare
      const { LEMON_DEDUPE_TABLE: _omitted, ...env } = localReceiverEnv({ secretsManager: sm, dynamo });

      // Act
      const { result, stdout } = await invokeBundle(signedApiGatewayEvent(BODY, "req-bundle"), env);

      // Assess
      expect(result).toEqual({
        statusCode: 500,
        headers: { "content-type": "application/json" },
        body: '{"error":"misconfigured"}',
      });
      expect(JSON.parse(stdout)).toEqual({
        level: "error",
        msg: "receiver setup failed",
        outcome: "misconfigured",
        error:
          "receiver misconfigured: LEMON_DEDUPE_TABLE is not set; set it to the name of the DynamoDB table events are stored in",
      });
    });
  });

  describe("The forwarder bundle", () => {
    it("loads and exports a handler function and nothing else, without Pulumi, axios, the fakes or absolute paths", async () => {
      // Act
      const { stdout } = await run(process.execPath, [
        "-e",
        `const m = require(${JSON.stringify(FORWARDER_BUNDLE)}); console.log(JSON.stringify(Object.keys(m)), typeof m.handler)`,
      ]);

      // Assess
      expect(stdout.trim()).toBe('["handler"] function');
      const forwarder = readFileSync(FORWARDER_BUNDLE, "utf8");
      for (const forbidden of ["axios", "@pulumi", "dynalite", "startFakeEventBridge", "@aws-sdk", ROOT]) {
        expect(forwarder).not.toContain(forbidden);
      }
    });

    it("is no larger than the receiver's bundle", () => {
      expect(readFileSync(FORWARDER_BUNDLE).length).toBeLessThanOrEqual(bundle.length);
    });

    it("fails the invocation naming the missing variable, so the mapping retries the batch", async () => {
      // Act
      const failed = await run(
        process.execPath,
        [
          "-e",
          `require(${JSON.stringify(FORWARDER_BUNDLE)}).handler({ Records: [] }).catch((e) => process.stderr.write(e.message))`,
        ],
        { env: { PATH: process.env.PATH ?? "" } },
      );

      // Assess
      expect(failed.stderr).toBe(
        "forwarder setup failed: forwarder misconfigured: LEMON_EVENT_BUS_NAME is not set; set it to the name of the EventBridge bus to forward to; LEMON_DEDUPE_TABLE is not set; set it to the name of the DynamoDB table events are stored in",
      );
    });
  });
});

describe("Each Lambda bundle's sources", () => {
  it.each([
    ["receiver", "lambda/receiver/"],
    ["forwarder", "lambda/forwarder/"],
    ["reconciler", "lambda/reconciler/"],
  ])("of the %s are its own folder, the shared Lambda code and contract/ only", (name, own) => {
    // Prepare
    const record = JSON.parse(
      readFileSync(join(ROOT, "dist", "lambda-bundle", `${name}.sources.json`), "utf8"),
    ) as {
      readonly inputs: Record<string, string>;
    };
    const allowed = [own, "lambda/core/", "lambda/aws/", "contract/"];
    // Act
    const foreign = Object.keys(record.inputs).filter(
      (input) => !allowed.some((prefix) => input.startsWith(prefix)),
    );
    // Assess
    expect(foreign).toEqual([]);
    expect(Object.keys(record.inputs).some((input) => input.startsWith(own))).toBe(true);
  });
});
