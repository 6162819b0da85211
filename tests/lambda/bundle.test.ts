import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import {
  type FakeEventBridge,
  type FakeSecretsManager,
  type LocalDynamo,
  localReceiverEnv,
  startFakeEventBridge,
  startFakeSecretsManager,
  startLocalDynamo,
} from "../../lambda/local";
import { sign } from "../../lambda/signature";
import { signedApiGatewayEvent } from "./support/apigw";
import { BODY, EVENT, SECRET } from "./support/events";

const run = promisify(execFile);
const ROOT = join(__dirname, "..", "..");
const BUNDLE = join(ROOT, "dist", "lambda-bundle", "receiver", "index.js");

/** Runs the bundle's handler in a fresh node process with exactly `env`; returns its result and stdout. */
async function invokeBundle(
  event: object,
  env: Record<string, string>,
): Promise<{ result: unknown; stdout: string }> {
  const script = `require(${JSON.stringify(BUNDLE)}).handler(JSON.parse(process.argv[1]))
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

    it("verifies a signed event and forwards it to EventBridge", async () => {
      // Prepare
      const env = localReceiverEnv({
        secretsManager: sm,
        eventBridge: eb,
        dynamo,
        eventBusName: "bundle-bus",
      });

      // Act
      const { result, stdout } = await invokeBundle(signedApiGatewayEvent(BODY, "req-bundle"), env);

      // Assess
      expect(result).toEqual({
        statusCode: 200,
        headers: { "content-type": "application/json" },
        body: '{"status":"forwarded"}',
      });
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
      const lines = stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatchObject({
        level: "info",
        outcome: "forwarded",
        eventId: EVENT.id,
        requestId: "req-bundle",
      });
      expect(stdout).not.toContain(SECRET);
      expect(stdout).not.toContain(sign(BODY, SECRET));
    });

    it("answers 401 to a forged event and forwards nothing", async () => {
      // Prepare
      const env = localReceiverEnv({ secretsManager: sm, eventBridge: eb, dynamo });
      const before = eb.putEventsCalls;

      // Act
      const { result } = await invokeBundle(signedApiGatewayEvent(BODY, "req-bundle", "forged"), env);

      // Assess
      expect(result).toMatchObject({ statusCode: 401 });
      expect(eb.putEventsCalls).toBe(before);
    });

    it("answers 500 naming nothing secret when its environment is incomplete, and logs which variable is missing", async () => {
      // Prepare
      const { LEMON_DEDUPE_TABLE: _omitted, ...env } = localReceiverEnv({
        secretsManager: sm,
        eventBridge: eb,
        dynamo,
      });

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
          "receiver misconfigured: LEMON_DEDUPE_TABLE is not set; set it to the name of the DynamoDB dedupe table",
      });
    });
  });
});
