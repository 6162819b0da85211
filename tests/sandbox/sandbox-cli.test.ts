import type { ChildProcess } from "node:child_process";
import { type CliRun, REPO_ROOT, runCli } from "../support/run-cli";

const HEX32 = "[0-9a-f]{32}";
const ACCOUNT = "cusa_33531f7f801d4ce997747470ab7208fd";

function linesMatching(text: string, pattern: RegExp): RegExpExecArray[] {
  return text
    .split("\n")
    .map((line) => pattern.exec(line))
    .filter((match): match is RegExpExecArray => match !== null);
}

describe("npm start (the sandbox CLI)", () => {
  let run: CliRun;

  beforeAll(async () => {
    run = await runCli([]);
  }, 90_000);

  it("exits 0 with nothing on stderr", () => {
    // Assess
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
  });

  it("prints the six steps in order, once each", () => {
    // Prepare
    const steps = linesMatching(run.stdout, /^✔ (\d)\/6 /).map((match) => match[1]);

    // Assess
    expect(steps).toEqual(["1", "2", "3", "4", "5", "6"]);
    expect(
      linesMatching(run.stdout, /^✔ 1\/6 lemon\.markets emulator on http:\/\/127\.0\.0\.1:\d+\/v1$/),
    ).toHaveLength(1);
    expect(
      linesMatching(
        run.stdout,
        /^✔ 2\/6 receiver Lambda \(dist\/lambda-bundle\/receiver\/index\.js\) behind a local API Gateway at http:\/\/127\.0\.0\.1:\d+\/webhooks\/lemon-markets$/,
      ),
    ).toHaveLength(1);
  });

  it("registers a wbh_ webhook for account.created, stores its secret without showing it, and unregisters the same one", () => {
    // Prepare
    const [registered] = linesMatching(
      run.stdout,
      new RegExp(`^✔ 3/6 registered webhook (wbh_${HEX32}) for account\\.created \\(`),
    );
    const [unregistered] = linesMatching(
      run.stdout,
      new RegExp(`^✔ 6/6 unregistered webhook (wbh_${HEX32}) \\(`),
    );

    // Assess
    expect(registered?.[1]).toMatch(new RegExp(`^wbh_${HEX32}$`));
    expect(unregistered?.[1]).toBe(registered?.[1]);
    expect(
      linesMatching(
        run.stdout,
        /^ {6}signature secret stored in the local Secrets Manager as arn:aws:secretsmanager:.+ \(value not shown\)$/,
      ),
    ).toHaveLength(1);
  });

  it("creates Erika Mustermann's account and stores and forwards exactly one account.created for it", () => {
    // Prepare
    const [account] = linesMatching(
      run.stdout,
      new RegExp(`^✔ 4/6 POST /v1/accounts for Erika Mustermann .*: HTTP 201, account (cusa_${HEX32})$`),
    );
    const forwarded = linesMatching(
      run.stdout,
      new RegExp(
        `put it on EventBridge bus lemon-webhooks-sandbox: (\\S+) (evt_${HEX32}) account (cusa_${HEX32})$`,
      ),
    );

    // Assess
    expect(account?.[1]).toMatch(new RegExp(`^cusa_${HEX32}$`));
    expect(forwarded.map((match) => [match[1], match[3]])).toEqual([["account.created", account?.[1]]]);
  });

  it("shows the redelivery of the same event deduplicated, once", () => {
    // Prepare
    const [forwarded] = linesMatching(
      run.stdout,
      new RegExp(`put it on EventBridge bus \\S+: account\\.created (evt_${HEX32})`),
    );
    const deduplicated = linesMatching(
      run.stdout,
      new RegExp(`deduplicated: (evt_${HEX32}) was already stored`),
    );
    const redeliveries = linesMatching(
      run.stdout,
      new RegExp(`→ redelivery of (evt_${HEX32}) .*: HTTP 200 in \\d+ ms$`),
    );

    // Assess
    expect(deduplicated.map((match) => match[1])).toEqual([forwarded?.[1]]);
    expect(redeliveries.map((match) => match[1])).toEqual([forwarded?.[1]]);
    expect(
      linesMatching(
        run.stdout,
        /^✔ 5\/6 1 event delivered, verified, stored and forwarded from the stream; 1 redelivery deduplicated$/,
      ),
    ).toHaveLength(1);
    expect(
      linesMatching(
        run.stdout,
        /^Done in \d+\.\d s: 1 event stored, 1 event forwarded, 1 duplicate deduplicated\. Every server is stopped\.$/,
      ),
    ).toHaveLength(1);
  });

  it("never prints the API key or the signature secret, and uses no colour codes when not on a terminal", () => {
    // Prepare
    const secrets = JSON.parse(run.hook) as { apiKey: string; signatureSecret: string };
    const printed = run.stdout + run.stderr;

    // Assess
    expect(secrets.apiKey).toMatch(/^sandbox_[0-9a-f]{48}$/);
    expect(secrets.signatureSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(printed.includes(secrets.apiKey)).toBe(false);
    expect(printed.includes(secrets.signatureSecret)).toBe(false);
    expect(printed.includes("\u001b[")).toBe(false);
  });
});

describe("npm start -- --keep-running", () => {
  it("prints events stored and forwarded while running, then unregisters and stops cleanly on Ctrl-C", async () => {
    // Prepare
    let emitted = false;
    let interrupted = false;
    const onStdout = (stdout: string, child: ChildProcess) => {
      const emulator = /^✔ 1\/6 lemon\.markets emulator on (http:\/\/127\.0\.0\.1:\d+)\/v1$/m.exec(
        stdout,
      )?.[1];
      if (!emitted && emulator !== undefined && stdout.includes("Press Ctrl-C")) {
        emitted = true;
        // Act: what the printed curl command does
        void fetch(`${emulator}/_emulator/events`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ type: "account.created", context: { account: ACCOUNT } }),
        });
      }
      if (!interrupted && stdout.split("deduplicated: ").length === 3) {
        interrupted = true;
        child.kill("SIGINT");
      }
    };

    // Act
    const run = await runCli(["--keep-running"], onStdout);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    const live = run.stdout.slice(run.stdout.indexOf("Press Ctrl-C"));
    expect(
      linesMatching(
        live,
        new RegExp(
          `^✔ signature verified, stored \\(200\\); the stream's forwarder put it on EventBridge bus lemon-webhooks-sandbox: account\\.created evt_${HEX32} account ${ACCOUNT}$`,
        ),
      ),
    ).toHaveLength(1);
    expect(
      linesMatching(live, new RegExp(`^✔ signature verified, deduplicated: evt_${HEX32} was already stored`)),
    ).toHaveLength(1);
    expect(linesMatching(live, new RegExp(`^✔ 6/6 unregistered webhook wbh_${HEX32} \\(`))).toHaveLength(1);
    expect(
      linesMatching(
        live,
        /^Done in \d+\.\d s: 2 events stored, 2 events forwarded, 2 duplicates deduplicated\. Every server is stopped\.$/,
      ),
    ).toHaveLength(1);
    expect(linesMatching(run.stdout, /^ {6}curl /)).toHaveLength(3);
  }, 90_000);
});

/** Whether any process of the group `pgid` is still alive (signal 0 only checks). */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
}

describe("npm start -- --keep-running, signalled as a whole process group", () => {
  // `timeout 12 npm start -- --keep-running`, `kill -TERM -<pgid>`, a container stop and Ctrl-C in a terminal
  // all signal every process of the group: the sandbox and its receiver Lambda process alike.
  it.each(["SIGTERM", "SIGINT"] as const)(
    "on %s unregisters the webhook, stops every server and child process, and exits 0 without a stack trace",
    async (signal) => {
      // Prepare
      let signalled = false;
      let pgid: number | undefined;
      const onStdout = (stdout: string, child: ChildProcess) => {
        if (!signalled && stdout.includes("Press Ctrl-C")) {
          signalled = true;
          pgid = child.pid;
          // Act
          process.kill(-child.pid!, signal);
        }
      };

      // Act
      const run = await runCli(["--keep-running"], onStdout, 60_000, { processGroup: true });

      // Assess
      expect(signalled).toBe(true);
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      const [registered] = linesMatching(
        run.stdout,
        new RegExp(`^✔ 3/6 registered webhook (wbh_${HEX32}) for account\\.created \\(`),
      );
      const live = run.stdout.slice(run.stdout.indexOf("Press Ctrl-C"));
      const unregistered = linesMatching(
        live,
        new RegExp(`^✔ 6/6 unregistered webhook (wbh_${HEX32}) \\(WebhookRegistration provider: delete\\)$`),
      );
      expect(unregistered.map((match) => match[1])).toEqual([registered?.[1]]);
      expect(
        linesMatching(
          live,
          /^Done in \d+\.\d s: 1 event stored, 1 event forwarded, 1 duplicate deduplicated\. Every server is stopped\.$/,
        ),
      ).toHaveLength(1);
      expect(groupAlive(pgid!)).toBe(false);
    },
    90_000,
  );
});

describe("npm start with a bad command line", () => {
  it.each([
    [
      "an unpublished type",
      ["--events", "account.created,order.foo"],
      '--events: "order.foo" is not a published',
    ],
    ["a malformed type", ["--events=Account.Created"], '--events: "Account.Created" is not an event type'],
    ["an empty list", ["--events", ","], "--events is empty"],
    ["no value", ["--events"], "--events needs a value"],
  ])("exits 2 naming --events for %s, before starting anything", async (_label, args, message) => {
    // Act
    const run = await runCli(args);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr.startsWith(`✖ ${message}`)).toBe(true);
    expect(run.stderr.split("\n").filter((line) => line !== "")).toHaveLength(1);
  });

  it("prints the usage and exits 0 for --help", async () => {
    // Act
    const run = await runCli(["--help"]);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    expect(run.stdout.startsWith("Usage: npm start -- [options]\n")).toBe(true);
    expect(run.stdout).toContain("--events <a,b,...>");
    expect(run.stdout).toContain("--keep-running");
  });
});

describe("npm start -- --keep-running, npm alone signalled (as `timeout 12 npm start` does)", () => {
  it("reaches the sandbox through the start script's exec: webhook unregistered, servers stopped, no stack", async () => {
    // Prepare: npm itself, as a user runs it; `timeout` sends SIGTERM to its child (npm) only.
    const { spawn } = await import("node:child_process");
    const child = spawn("npm", ["start", "--silent", "--", "--keep-running"], {
      cwd: REPO_ROOT,
      env: { ...process.env, LEMON_MARKETS_API_KEY: "" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const out = { stdout: "", stderr: "" };
    let signalled = false;
    child.stdout.on("data", (chunk: Buffer) => {
      out.stdout += chunk.toString("utf8");
      if (!signalled && out.stdout.includes("Press Ctrl-C")) {
        signalled = true;
        // Act
        child.kill("SIGTERM");
      }
    });
    child.stderr.on("data", (chunk: Buffer) => {
      out.stderr += chunk.toString("utf8");
    });
    const timer = setTimeout(() => process.kill(-child.pid!, "SIGKILL"), 80_000);
    await new Promise((resolve) => child.once("close", resolve));
    clearTimeout(timer);

    // Assess
    expect(signalled).toBe(true);
    expect(out.stderr).toBe("");
    const live = out.stdout.slice(out.stdout.indexOf("Press Ctrl-C"));
    expect(
      linesMatching(
        live,
        new RegExp(`^✔ 6/6 unregistered webhook wbh_${HEX32} \\(WebhookRegistration provider: delete\\)$`),
      ),
    ).toHaveLength(1);
    expect(linesMatching(live, /Every server is stopped\.$/)).toHaveLength(1);
    expect(groupAlive(child.pid!)).toBe(false);
  }, 90_000);
});
