import { EXIT } from "../../cli/args";
import { runCli } from "../../cli/main";
import { parseReforwardArgs, REFORWARD_USAGE } from "../../cli/reforward-args";
import type { CliIo } from "../../cli/send-test-event";

function capture(outputs: Record<string, unknown> | Error = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    env: {},
    stdout: (line) => out.push(line),
    stderr: (line) => err.push(line),
    runPulumi: async () => {
      if (outputs instanceof Error) throw outputs;
      return JSON.stringify(outputs);
    },
    now: () => 0,
  };
  return { io, out, err };
}

describe("Function: parseReforwardArgs", () => {
  it("reads the stack, the window in ISO 8601 and --dry-run", () => {
    // Act
    const parsed = parseReforwardArgs([
      "--stack",
      "dev",
      "--from=2026-12-01T18:00:00Z",
      "--to",
      "2026-12-01T19:30:00.5+01:00",
      "--dry-run",
    ]);

    // Assess
    expect(parsed).toEqual({
      help: false,
      options: {
        stack: "dev",
        fromMs: Date.parse("2026-12-01T18:00:00Z"),
        toMs: Date.parse("2026-12-01T18:30:00.500Z"),
        dryRun: true,
      },
    });
  });

  it.each([
    [["--from", "2026-12-01T18:00:00Z"], "reforward needs --stack <name>"],
    [["--stack", "dev"], "reforward needs --from <time>: when the first event to re-forward was stored"],
    [
      ["--stack", "dev", "--from", "yesterday"],
      '--from "yesterday" is not a time; use ISO 8601 with a zone, e.g. 2026-12-01T18:00:00Z',
    ],
    [
      ["--stack", "dev", "--from", "2026-12-01T18:00:00"],
      '--from "2026-12-01T18:00:00" is not a time; use ISO 8601 with a zone, e.g. 2026-12-01T18:00:00Z',
    ],
    [
      ["--stack", "dev", "--from", "2026-12-01T18:00:00Z", "--to", "2026-12-01T17:00:00Z"],
      "--to (2026-12-01T17:00:00Z) is before --from (2026-12-01T18:00:00Z)",
    ],
    [
      ["--stack", "dev", "--from", "2026-12-01T18:00:00Z", "--force"],
      "unknown option --force; see reforward --help",
    ],
    [["--stack"], "--stack needs a value; see reforward --help"],
  ])("refuses %j: %s", (argv, message) => {
    expect(() => parseReforwardArgs(argv)).toThrow(message);
  });
});

describe("Command: lemon-webhooks reforward", () => {
  it("exits 2 with the usage problem on stderr", async () => {
    // Prepare
    const { io, out, err } = capture();

    // Act
    const code = await runCli(["reforward", "--stack", "dev"], io);

    // Assess
    expect(code).toBe(EXIT.usage);
    expect(out).toEqual([]);
    expect(err).toEqual(["reforward needs --from <time>: when the first event to re-forward was stored"]);
  });

  it("prints its help with the idempotency warning and exits 0", async () => {
    // Prepare
    const { io, out } = capture();

    // Act
    const code = await runCli(["reforward", "--help"], io);

    // Assess
    expect(code).toBe(EXIT.ok);
    expect(out).toEqual([REFORWARD_USAGE]);
    expect(REFORWARD_USAGE).toContain("they must be idempotent on\ndetail.id");
  });

  it("exits 4 naming the missing outputs of a stack without the table or the bus", async () => {
    // Prepare
    const { io, err } = capture({ endpointUrl: "https://x" });

    // Act
    const code = await runCli(["reforward", "--stack", "dev", "--from", "2026-12-01T18:00:00Z"], io);

    // Assess
    expect(code).toBe(4);
    expect(err).toEqual([
      "stack dev lacks the dedupeTableName and eventBusName outputs; export them from the stack program (see index.ts)",
    ]);
  });

  it("exits 4 saying how to get credentials when there are none", async () => {
    // Prepare
    const { io, err } = capture({
      dedupeTableName: "t",
      eventBusName: "b",
      eventBusArn: "arn:aws:events:eu-central-1:123456789012:event-bus/b",
    });

    // Act
    const code = await runCli(["reforward", "--stack", "dev", "--from", "2026-12-01T18:00:00Z"], io);

    // Assess
    expect(code).toBe(4);
    expect(err[0]).toMatch(
      /^AWS credentials are needed \(AWS_ACCESS_KEY_ID is not set; .*aws configure export-credentials/,
    );
  });
});
