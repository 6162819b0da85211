import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { CLI_DEFAULT_PORT, parseCliArgs } from "../../emulator/cli-args";
import { goodHeaders } from "../support/emulator";

const ROOT = path.join(__dirname, "../..");

describe("Function: parseCliArgs", () => {
  it("uses the documented defaults with no flags", () => {
    expect(parseCliArgs([])).toEqual({
      help: false,
      quiet: false,
      emulator: { port: CLI_DEFAULT_PORT, delivery: { reorder: false } },
    });
    expect(CLI_DEFAULT_PORT).toBe(4010);
  });

  it("maps every flag onto the emulator options, --api-key repeatable", () => {
    // Act
    const parsed = parseCliArgs([
      "--port=0",
      "--host",
      "0.0.0.0",
      "--api-key",
      "k1",
      "--api-key",
      "k2",
      "--duplicate-rate",
      "0.25",
      "--reorder",
      "--seed",
      "42",
      "--timeout-ms",
      "500",
      "--max-attempts",
      "3",
      "--base-delay-ms",
      "10",
      "--quiet",
    ]);

    // Assess
    expect(parsed).toEqual({
      help: false,
      quiet: true,
      emulator: {
        port: 0,
        host: "0.0.0.0",
        apiKeys: ["k1", "k2"],
        seed: 42,
        delivery: { duplicateRate: 0.25, reorder: true, timeoutMs: 500, maxAttempts: 3, baseDelayMs: 10 },
      },
    });
  });

  it.each([
    [["--port", "http"], '--port must be an integer from 0 to 65535 (got "http")'],
    [["--port", "70000"], '--port must be an integer from 0 to 65535 (got "70000")'],
    [["--duplicate-rate", "2"], '--duplicate-rate must be a number from 0 to 1 (got "2")'],
    [["--seed", "1.5"], '--seed must be an integer (got "1.5")'],
    [["--max-attempts", "0"], '--max-attempts must be an integer from 1 to 1000 (got "0")'],
    [["--bogus"], "Unknown option '--bogus'"],
  ])("rejects %j naming the flag", (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(message);
  });
});

describe("CLI: npm run emulator", () => {
  let child: ChildProcess | undefined;

  afterEach(() => {
    child?.kill("SIGKILL");
    child = undefined;
  });

  it("prints its base URL, serves the API with the --api-key given, never prints that key, exits on SIGTERM", async () => {
    // Prepare
    const key = "cli-secret-key-5f2b";
    child = spawn(
      process.execPath,
      ["-r", "ts-node/register", "emulator/cli.ts", "--port", "0", "--api-key", key, "--seed", "9"],
      { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const baseUrl = await new Promise<string>((resolve, reject) => {
      child!.stdout!.on("data", () => {
        const match = /lemon\.markets emulator: (http:\/\/127\.0\.0\.1:\d+\/v1)\n/.exec(output);
        if (match) resolve(match[1]!);
      });
      child!.once("exit", (code) => reject(new Error(`CLI exited with ${code}: ${output}`)));
    });

    // Act
    const response = await fetch(`${baseUrl}/webhooks`, { headers: goodHeaders(key) });
    const exited = new Promise<number | null>((resolve) => child!.once("exit", resolve));
    child.kill("SIGTERM");
    const code = await exited;

    // Assess
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: [], pagination: { next_cursor: null } });
    expect(output).toContain("1 API key(s) from --api-key; seed 9");
    expect(output).toContain("GET /v1/webhooks -> 200");
    expect(output).not.toContain(key);
    expect(code).toBe(0);
  });
});
