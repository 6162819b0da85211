import fc from "fast-check";
import { EVENT_TYPE_PATTERN, PUBLISHED_EVENT_TYPES } from "../../components/lemon-api/event-types";
import { parseSandboxArgs, UsageError } from "../../sandbox/args";
import { createReporter, wantsColour } from "../../sandbox/reporter";

describe("Function: parseSandboxArgs", () => {
  it("defaults to the guide's subscription, no keep-running, no help", () => {
    // Act
    const options = parseSandboxArgs([]);

    // Assess
    expect(options).toEqual({ keepRunning: false, events: ["account.created"], help: false });
  });

  it.each([
    [
      ["--events", "order.executed,account.created"],
      ["order.executed", "account.created"],
    ],
    [["--events=order.executed"], ["order.executed"]],
    [
      ["--events", " account.created , order.executed ,account.created"],
      ["account.created", "order.executed"],
    ],
  ])("reads %j as events %j (trimmed, deduplicated, order kept)", (argv, events) => {
    // Act
    const options = parseSandboxArgs(argv);

    // Assess
    expect(options.events).toEqual(events);
  });

  it("reads --keep-running and -h together with --events", () => {
    // Act
    const options = parseSandboxArgs(["--keep-running", "-h", "--events", "deposit.created"]);

    // Assess
    expect(options).toEqual({ keepRunning: true, events: ["deposit.created"], help: true });
  });

  it.each([
    [["--events"], "--events needs a value: a comma-separated list such as --events account.created"],
    [
      ["--events", "--keep-running"],
      "--events needs a value: a comma-separated list such as --events account.created",
    ],
    [["--events", " , "], "--events is empty: give at least one event type, e.g. --events account.created"],
    [
      ["--events", "account"],
      '--events: "account" is not an event type; types look like <entity>.<action>, e.g. account.created',
    ],
    [
      ["--events", "account.created,account.frozen"],
      '--events: "account.frozen" is not a published lemon.markets event type; see components/lemon-api/event-types.ts for the list, e.g. account.created,order.executed',
    ],
    [["--port", "1"], 'unknown option "--port"; run npm start -- --help for the options'],
  ])("refuses %j with a message naming the flag", (argv, message) => {
    // Act
    const act = () => parseSandboxArgs(argv);

    // Assess
    expect(act).toThrow(new UsageError(message));
  });

  it("accepts every non-empty list of published types, deduplicated in first-seen order", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...PUBLISHED_EVENT_TYPES), { minLength: 1, maxLength: 12 }),
        (types) => {
          // Act
          const options = parseSandboxArgs(["--events", types.join(",")]);

          // Assess
          expect(options.events).toEqual([...new Set(types)]);
        },
      ),
    );
  });

  it("refuses any item that is not a published type with a UsageError starting with --events", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((item) => {
          const trimmed = item.trim();
          return (
            trimmed !== "" &&
            !item.includes(",") &&
            !(PUBLISHED_EVENT_TYPES as readonly string[]).includes(trimmed)
          );
        }),
        (item) => {
          // Act
          const failure = (() => {
            try {
              parseSandboxArgs(["--events", `account.created,${item}`]);
              return undefined;
            } catch (error) {
              return error;
            }
          })();

          // Assess
          expect(failure).toBeInstanceOf(UsageError);
          expect(
            (failure as UsageError).message.startsWith(`--events: ${JSON.stringify(item.trim())} is not`),
          ).toBe(true);
          const reason = EVENT_TYPE_PATTERN.test(item.trim()) ? "a published" : "an event type";
          expect((failure as UsageError).message).toContain(reason);
        },
      ),
    );
  });
});

describe("Function: createReporter", () => {
  it("writes plain step, detail and failure lines without colour", () => {
    // Prepare
    const lines: string[] = [];
    const reporter = createReporter((line) => lines.push(line), false);

    // Act
    reporter.step(1, 6, "emulator up");
    reporter.detail("more");
    reporter.fail("broken");
    reporter.line("done");

    // Assess
    expect(lines).toEqual(["✔ 1/6 emulator up", "      more", "✖ broken", "done"]);
  });

  it("colours only the marks and details on a terminal", () => {
    // Prepare
    const lines: string[] = [];
    const reporter = createReporter((line) => lines.push(line), true);

    // Act
    reporter.step(2, 6, "receiver up");
    reporter.detail("more");

    // Assess
    expect(lines).toEqual(["\u001b[32m✔\u001b[0m 2/6 receiver up", "      \u001b[2mmore\u001b[0m"]);
  });

  it.each([
    [{ isTTY: true }, {}, true],
    [{ isTTY: true }, { NO_COLOR: "1" }, false],
    [{ isTTY: true }, { NO_COLOR: "" }, true],
    [{ isTTY: false }, {}, false],
    [{}, {}, false],
  ])("wants colour for stream %j and env %j: %s", (stream, env, expected) => {
    // Act
    const colour = wantsColour(stream, env);

    // Assess
    expect(colour).toBe(expected);
  });
});
