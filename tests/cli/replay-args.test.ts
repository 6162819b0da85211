import { runCli } from "../../cli/main";
import { parseReplayArgs, REPLAY_EXIT, REPLAY_USAGE } from "../../cli/replay-args";

const NOW_MS = Date.parse("2026-12-01T20:00:00Z");

describe("Function: parseReplayArgs", () => {
  it("reads the stack, the window in ISO 8601, the types and the subscription", () => {
    // Act
    const parsed = parseReplayArgs(
      [
        "--stack",
        "dev",
        "--from=2026-12-01T18:00:00Z",
        "--to",
        "2026-12-01T19:30:00.5+01:00",
        "--types",
        "order.executed, order.rejected",
        "--rule",
        "orders",
      ],
      NOW_MS,
    );

    // Assess
    expect(parsed).toEqual({
      help: false,
      options: {
        stack: "dev",
        fromMs: Date.parse("2026-12-01T18:00:00Z"),
        toMs: Date.parse("2026-12-01T18:30:00.500Z"),
        types: ["order.executed", "order.rejected"],
        rule: "orders",
      },
    });
  });

  it("leaves --to, --types and --rule out when they are not given", () => {
    // Act
    const parsed = parseReplayArgs(["--stack", "dev", "--from", "2026-12-01T18:00:00Z"], NOW_MS);

    // Assess
    expect(parsed).toEqual({
      help: false,
      options: { stack: "dev", fromMs: Date.parse("2026-12-01T18:00:00Z") },
    });
  });

  it.each([
    [["--from", "2026-12-01T18:00:00Z"], "replay needs --stack <name>"],
    [["--stack", "dev"], "replay needs --from <time>: the time (created_at) of the first event to replay"],
    [
      ["--stack", "dev", "--from", "yesterday"],
      '--from "yesterday" is not a time; use ISO 8601 with a zone, e.g. 2026-12-01T18:00:00Z',
    ],
    [
      ["--stack", "dev", "--from", "2026-12-01T18:00:00Z", "--to", "2026-12-01T19:00"],
      '--to "2026-12-01T19:00" is not a time; use ISO 8601 with a zone, e.g. 2026-12-01T18:00:00Z',
    ],
    [
      ["--stack", "dev", "--from", "2026-12-01T21:00:00Z"],
      "--from (2026-12-01T21:00:00Z) is not in the past (now is 2026-12-01T20:00:00.000Z)",
    ],
    [
      ["--stack", "dev", "--from", "2026-12-01T18:00:00Z", "--to", "2026-12-01T20:00:01Z"],
      "--to (2026-12-01T20:00:01Z) is in the future (now is 2026-12-01T20:00:00.000Z); leave it out to replay up to now",
    ],
    [
      ["--stack", "dev", "--from", "2026-12-01T18:00:00Z", "--to", "2026-12-01T17:00:00Z"],
      "--to (2026-12-01T17:00:00Z) is not after --from (2026-12-01T18:00:00Z)",
    ],
    [
      ["--stack", "dev", "--from", "2026-12-01T18:00:00Z", "--to", "2026-12-01T18:00:00Z"],
      "--to (2026-12-01T18:00:00Z) is not after --from (2026-12-01T18:00:00Z)",
    ],
    [
      ["--stack", "dev", "--from", "2026-12-01T18:00:00Z", "--types", "order.executed,,x"],
      '--types "order.executed,,x" holds "", not an event type; use a comma-separated list, e.g. --types order.executed,order.rejected',
    ],
    [
      ["--stack", "dev", "--from", "2026-12-01T18:00:00Z", "--types", "Orders"],
      '--types "Orders" holds "Orders", not an event type; use a comma-separated list, e.g. --types order.executed,order.rejected',
    ],
    [
      ["--stack", "dev", "--from", "2026-12-01T18:00:00Z", "--types", "order.executed,order.executed"],
      "--types names order.executed twice; name each type once",
    ],
    [
      ["--stack", "dev", "--from", "2026-12-01T18:00:00Z", "--rule"],
      "--rule needs a value; see replay --help",
    ],
    [
      ["--stack", "dev", "--from", "2026-12-01T18:00:00Z", "--dry-run"],
      "unknown option --dry-run; see replay --help",
    ],
  ])("refuses %j: %s", (argv, message) => {
    expect(() => parseReplayArgs(argv, NOW_MS)).toThrow(message);
  });
});

describe("Command: lemon-webhooks replay (flags)", () => {
  function capture() {
    const out: string[] = [];
    const err: string[] = [];
    const pulumiCalls: string[][] = [];
    const io = {
      env: {},
      stdout: (line: string) => out.push(line),
      stderr: (line: string) => err.push(line),
      runPulumi: async (args: readonly string[]) => {
        pulumiCalls.push([...args]);
        return "{}";
      },
      now: () => 0,
      clockMs: () => NOW_MS,
      isTTY: false,
      write: () => undefined,
      sleep: async () => undefined,
    };
    return { io, out, err, pulumiCalls };
  }

  it("exits 2 with the problem naming the flag on stderr, before reading the stack", async () => {
    // Prepare
    const { io, out, err, pulumiCalls } = capture();

    // Act
    const code = await runCli(["replay", "--stack", "dev", "--from", "2026-12-02T00:00:00Z"], io);

    // Assess
    expect(code).toBe(REPLAY_EXIT.usage);
    expect(out).toEqual([]);
    expect(err).toEqual([
      "--from (2026-12-02T00:00:00Z) is not in the past (now is 2026-12-01T20:00:00.000Z)",
    ]);
    expect(pulumiCalls).toEqual([]);
  });

  it("prints its help with the idempotency warning, the --types semantics and Ctrl-C, and exits 0", async () => {
    // Prepare
    const { io, out } = capture();

    // Act
    const code = await runCli(["replay", "--help"], io);

    // Assess
    expect(code).toBe(REPLAY_EXIT.ok);
    expect(out).toEqual([REPLAY_USAGE]);
    expect(REPLAY_USAGE).toContain("they must be idempotent on detail.id");
    expect(REPLAY_USAGE).toContain("cannot filter by\n                          type, only by rule");
    expect(REPLAY_USAGE).toContain("Ctrl-C stops watching, not the replay");
  });
});
