/**
 * The shipped CI path (.github/workflows/preview.yml): the stack program runs in preview with exactly the
 * config (Pulumi.yaml defaults + Pulumi.dev.yaml) and environment the workflow provides. Secrets the repository
 * has not configured reach the step as empty strings, as GitHub Actions passes them.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { KNOWN_API_KEY } from "../../support/pulumi-mocks";
import { cliConfig, ROOT } from "../../support/stack-program";

type Harness = typeof import("../../support/pulumi-mocks");
type Pulumi = typeof import("@pulumi/pulumi");

interface Step {
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, string>;
}

const workflow = parse(readFileSync(join(ROOT, ".github", "workflows", "preview.yml"), "utf8")) as {
  jobs: { preview: { steps: Step[] } };
};
const steps = workflow.jobs.preview.steps;
const pulumiStep = steps.find((step) => step.uses?.startsWith("pulumi/actions@"));

/** A GitHub Actions expression as the workflow writes it: `${{ <expr> }}`. */
function expression(expr: string): string {
  return `$\{{ ${expr} }}`;
}

/** The pulumi step's environment with every `${{ secrets.X }}` resolved as `secrets` has it (unset: ""). */
function workflowEnv(secrets: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(pulumiStep?.env ?? {}).map(([name, value]) => [
      name,
      value.replace(/\$\{\{\s*secrets\.([A-Z_]+)\s*\}\}/g, (_, secret: string) => secrets[secret] ?? ""),
    ]),
  );
}

interface Run {
  readonly error: unknown;
  readonly warnings: string[];
  readonly harness: Harness;
}

/**
 * Runs index.ts in a fresh module registry (a program runs once per process) with the workflow's config and
 * `env`, in preview (`dryRun`) or up.
 */
async function runStack(env: Record<string, string>, dryRun: boolean): Promise<Run> {
  const saved = { ...process.env };
  for (const name of Object.keys(env)) delete process.env[name];
  Object.assign(process.env, env);
  let run: Run | undefined;
  try {
    await jest.isolateModulesAsync(async () => {
      const harness = (await import("../../support/pulumi-mocks")) as Harness;
      const pulumi = (await import("@pulumi/pulumi")) as Pulumi;
      const warnings: string[] = [];
      jest.spyOn(pulumi.log, "warn").mockImplementation(async (message: string) => {
        warnings.push(message);
      });
      harness.setStackConfig(cliConfig(), []);
      await harness.installMocks(dryRun);
      let error: unknown;
      try {
        await import("../../../index");
        await harness.settle();
      } catch (caught) {
        error = caught;
      }
      run = { error, warnings, harness };
    });
  } finally {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  }
  if (run === undefined) throw new Error("the stack program did not run");
  return run;
}

const NO_KEY_WARNING =
  "The lemon.markets API key is not set, so this preview shows the reconciler's API-key secret as unknown; " +
  "`pulumi up` will stop until you run `pulumi config set --secret lemonmarkets:apiKey <key>` " +
  "(or set LEMON_MARKETS_API_KEY, or pass apiKey)";

describe("Workflow: .github/workflows/preview.yml", () => {
  it("uses current major versions of its actions and Node 24", () => {
    // Assess
    expect(steps.filter((step) => step.uses !== undefined).map((step) => step.uses)).toEqual([
      "actions/checkout@v6",
      "actions/setup-node@v7",
      "aws-actions/configure-aws-credentials@v6",
      "pulumi/actions@v7",
    ]);
    expect(steps.find((step) => step.uses?.startsWith("actions/setup-node@"))?.with?.["node-version"]).toBe(
      24,
    );
    expect(steps.filter((step) => step.run !== undefined).map((step) => step.run)).toEqual([
      "npm ci",
      "npm run build:lambda",
    ]);
  });

  it("previews the stack named by the PULUMI_STACK variable (org/stack on Pulumi Cloud), default dev", () => {
    expect(pulumiStep?.with?.["stack-name"]).toBe(expression("vars.PULUMI_STACK || 'dev'"));
    expect(pulumiStep?.with?.command).toBe("preview");
  });

  it("hands the step the backend's credentials and the optional API-key secret, nothing else", () => {
    expect(pulumiStep?.env).toEqual({
      PULUMI_ACCESS_TOKEN: expression("secrets.PULUMI_ACCESS_TOKEN"),
      PULUMI_CONFIG_PASSPHRASE: expression("secrets.PULUMI_CONFIG_PASSPHRASE"),
      LEMON_MARKETS_API_KEY: expression("secrets.LEMON_MARKETS_API_KEY"),
    });
  });
});

describe("Program: index.ts as the CI preview runs it", () => {
  const env = { LEMON_MARKETS_API_KEY: undefined as string | undefined };
  beforeAll(() => {
    env.LEMON_MARKETS_API_KEY = process.env.LEMON_MARKETS_API_KEY;
    delete process.env.LEMON_MARKETS_API_KEY;
  });
  afterAll(() => {
    if (env.LEMON_MARKETS_API_KEY !== undefined)
      process.env.LEMON_MARKETS_API_KEY = env.LEMON_MARKETS_API_KEY;
  });

  it("previews without any key configured, warning once that up needs it and how to set it", async () => {
    // Act
    const { error, warnings, harness } = await runStack(
      workflowEnv({ PULUMI_ACCESS_TOKEN: "pul-token" }),
      true,
    );

    // Assess
    expect(error).toBeUndefined();
    expect(warnings).toEqual([NO_KEY_WARNING]);
    const version = harness.resource("aws:secretsmanager/secretVersion:SecretVersion", "lemon-api-key-value");
    // Unknown in the preview (the mocks' marker for an unknown input), and ignored by the diff: `secretString`
    // replaces the version, so an unknown value would otherwise plan a replacement on every keyless preview.
    expect(version.inputs.secretString).toEqual({ __pulumiUnknown: true });
    expect(harness.options.get("lemon-api-key-value")?.ignoreChanges).toEqual(["secretString"]);
    expect(
      harness.recorded.filter((r) => r.type === "pulumi-nodejs:dynamic/lemon-webhooks:WebhookRegistration"),
    ).toHaveLength(1);
  });

  it("previews with the key from the LEMON_MARKETS_API_KEY workflow secret, stored as a secret", async () => {
    // Act
    const { error, warnings, harness } = await runStack(
      workflowEnv({ PULUMI_ACCESS_TOKEN: "pul-token", LEMON_MARKETS_API_KEY: KNOWN_API_KEY }),
      true,
    );

    // Assess
    expect(error).toBeUndefined();
    expect(warnings).toEqual([]);
    const version = harness.resource("aws:secretsmanager/secretVersion:SecretVersion", "lemon-api-key-value");
    expect(harness.secretInputValue(version.inputs.secretString)).toBe(KNOWN_API_KEY);
    expect(harness.options.get("lemon-api-key-value")?.ignoreChanges).toEqual([]);
  });

  it("refuses to deploy without a key, naming the config command, and registers nothing", async () => {
    // Act
    const { error, harness } = await runStack(workflowEnv({ PULUMI_ACCESS_TOKEN: "pul-token" }), false);

    // Assess
    expect(String(error)).toBe(
      "ReconcilerArgsError: LemonEventReconciler: [apiKey] is not set: run `pulumi config set --secret lemonmarkets:apiKey <key>` (or set LEMON_MARKETS_API_KEY, or pass apiKey)",
    );
    expect(harness.recorded).toEqual([]);
  });
});
