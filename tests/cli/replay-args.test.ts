import { runCli } from "../../cli/main";
import { ARCHIVE_DELAY_MS, parseReplayArgs, REPLAY_EXIT, REPLAY_USAGE } from "../../cli/replay-args";

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
        "2026-12-01T19:30:00+01:00",
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
        toMs: Date.parse("2026-12-01T18:30:00Z"),
        types: ["order.executed", "order.rejected"],
        rule: "orders",
      },
    });
  });

  it("defaults --to to now - 10 minutes (the archive's delay) and leaves --types and --rule out", () => {
    // Act
    const parsed = parseReplayArgs(["--stack", "dev", "--from", "2026-12-01T18:00:00Z"], NOW_MS);

    // Assess
    expect(ARCHIVE_DELAY_MS).toBe(600_000);
    expect(parsed).toEqual({
      help: false,
      options: {
        stack: "dev",
        fromMs: Date.parse("2026-12-01T18:00:00Z"),
        toMs: Date.parse("2026-12-01T19:50:00Z"),
      },
    });
  });

  it("cuts the default --to to the whole second before now - 10 minutes", () => {
    // Prepare
    const now = Date.parse("2026-12-01T20:00:00.750Z");

    // Act
    const parsed = parseReplayArgs(["--stack", "dev", "--from", "2026-12-01T18:00:00Z"], now);

    // Assess
    expect(parsed).toEqual({
      help: false,
      options: {
        stack: "dev",
        fromMs: Date.parse("2026-12-01T18:00:00Z"),
        toMs: Date.parse("2026-12-01T19:50:00Z"),
      },
    });
  });

  it("accepts a --to of exactly now - 10 minutes", () => {
    // Act
    const parsed = parseReplayArgs(
      ["--stack", "dev", "--from", "2026-12-01T18:00:00Z", "--to", "2026-12-01T19:50:00Z"],
      NOW_MS,
    );

    // Assess
    expect(parsed).toEqual({
      help: false,
      options: {
        stack: "dev",
        fromMs: Date.parse("2026-12-01T18:00:00Z"),
        toMs: Date.parse("2026-12-01T19:50:00Z"),
      },
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
      "--from (2026-12-01T21:00:00Z) is not before 2026-12-01T19:50:00Z (now - 10 minutes, the default --to): EventBridge may not have archived these events yet (AWS recommends waiting 10 minutes); wait, or use an earlier --from",
    ],
    [
      ["--stack", "dev", "--from", "2026-12-01T19:55:00Z"],
      "--from (2026-12-01T19:55:00Z) is not before 2026-12-01T19:50:00Z (now - 10 minutes, the default --to): EventBridge may not have archived these events yet (AWS recommends waiting 10 minutes); wait, or use an earlier --from",
    ],
    [
      ["--stack", "dev", "--from", "2026-12-01T18:00:00Z", "--to", "2026-12-01T20:00:01Z"],
      "--to (2026-12-01T20:00:01Z) is later than 2026-12-01T19:50:00Z (now - 10 minutes): EventBridge may not have archived the last events of the window yet (AWS recommends waiting 10 minutes), so the replay would miss them; use --to 2026-12-01T19:50:00Z or earlier, or leave --to out",
    ],
    [
      ["--stack", "dev", "--from", "2026-12-01T18:00:00Z", "--to", "2026-12-01T19:50:01Z"],
      "--to (2026-12-01T19:50:01Z) is later than 2026-12-01T19:50:00Z (now - 10 minutes): EventBridge may not have archived the last events of the window yet (AWS recommends waiting 10 minutes), so the replay would miss them; use --to 2026-12-01T19:50:00Z or earlier, or leave --to out",
    ],
    [
      ["--stack", "dev", "--from", "2026-12-01T18:00:00.700Z"],
      "--from (2026-12-01T18:00:00.700Z) is not a whole second: EventBridge keeps an event's time to the second (created_at 18:00:00.700Z is time 18:00:00Z), so the window is in whole seconds; use --from 2026-12-01T18:00:00Z to include that second, --from 2026-12-01T18:00:01Z to leave it out",
    ],
    [
      ["--stack", "dev", "--from", "2026-12-01T18:00:00Z", "--to", "2026-12-01T19:30:00.5+01:00"],
      "--to (2026-12-01T19:30:00.5+01:00) is not a whole second: EventBridge keeps an event's time to the second (created_at 18:00:00.700Z is time 18:00:00Z), so the window is in whole seconds; use --to 2026-12-01T18:30:01Z to include that second, --to 2026-12-01T18:30:00Z to leave it out",
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
      "--from (2026-12-02T00:00:00Z) is not before 2026-12-01T19:50:00Z (now - 10 minutes, the default --to): EventBridge may not have archived these events yet (AWS recommends waiting 10 minutes); wait, or use an earlier --from",
    ]);
    expect(pulumiCalls).toEqual([]);
  });

  it("exits 2 naming --to and the latest allowed one for a --to within 10 minutes of now, before reading the stack", async () => {
    // Prepare
    const { io, out, err, pulumiCalls } = capture();

    // Act
    const code = await runCli(
      ["replay", "--stack", "dev", "--from", "2026-12-01T18:00:00Z", "--to", "2026-12-01T19:55:00Z"],
      io,
    );

    // Assess
    expect(code).toBe(REPLAY_EXIT.usage);
    expect(out).toEqual([]);
    expect(err).toEqual([
      "--to (2026-12-01T19:55:00Z) is later than 2026-12-01T19:50:00Z (now - 10 minutes): EventBridge may not have archived the last events of the window yet (AWS recommends waiting 10 minutes), so the replay would miss them; use --to 2026-12-01T19:50:00Z or earlier, or leave --to out",
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
    expect(REPLAY_USAGE).toContain("end of the window, excluded (default: now - 10 minutes); not later than");
    expect(REPLAY_USAGE).toContain("--from and --to are whole seconds");
    expect(REPLAY_USAGE).toContain('if the scan fails, "count\nunavailable (<reason>)" is printed');
  });
});
