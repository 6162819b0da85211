/**
 * What send-test-event reads about a Pulumi stack: its outputs (`pulumi stack output --json`) and whether its
 * `apiBaseUrl` config is production lemon.markets (`pulumi config --json`). Both are read WITHOUT
 * `--show-secrets`: nothing secret is needed, so nothing secret is ever in this process's hands from Pulumi.
 */
import { PRODUCTION_BASE_URL } from "../components/lemon-api/options";

/** A setup step failed (stack outputs or config, secret, credentials); the message says what to do. */
export class SetupError extends Error {
  override readonly name = "SetupError";
}

/** The stack's lemon.markets API is production and `--yes` was not given. */
export class ProductionStackError extends Error {
  override readonly name = "ProductionStackError";
}

/** Config key of the stack program's API root (unset: the sandbox). */
export const API_BASE_URL_CONFIG_KEY = "lemon-webhooks:apiBaseUrl";

/** Runs the Pulumi CLI with `args` and resolves with its stdout (rejects when it fails). */
export type RunPulumi = (args: readonly string[]) => Promise<string>;

function detailOf(error: unknown): string {
  return error instanceof Error ? error.message : "unknown error";
}

async function pulumiJson(args: readonly string[], runPulumi: RunPulumi, what: string): Promise<unknown> {
  const command = `pulumi ${args.join(" ")}`;
  let text: string;
  try {
    text = await runPulumi(args);
  } catch (error) {
    throw new SetupError(
      `could not read ${what} (${detailOf(error)}); check the stack name and that the Pulumi CLI is logged in`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    // Only the error's name: its message quotes the output, which is not ours to print.
    throw new SetupError(
      `\`${command}\` did not print JSON (${error instanceof Error ? error.name : "parse error"}), so lemon-webhooks cannot read the stack; run that command yourself to see what it prints`,
    );
  }
}

/**
 * The outputs of `stack`.
 *
 * @throws SetupError naming the command and the fix when they cannot be read or are not a JSON object.
 */
export async function stackOutputs(stack: string, runPulumi: RunPulumi): Promise<Record<string, unknown>> {
  const parsed = await pulumiJson(
    ["stack", "output", "--json", "--stack", stack],
    runPulumi,
    `the outputs of stack ${stack}`,
  );
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new SetupError(`stack ${stack} has no outputs; run pulumi up first`);
  return parsed as Record<string, unknown>;
}

/** True when `apiBaseUrl` is production lemon.markets (the sandbox, an emulator or unset are not). */
export function isProductionApi(apiBaseUrl: string | undefined): boolean {
  if (apiBaseUrl === undefined || !URL.canParse(apiBaseUrl)) return false;
  return new URL(apiBaseUrl).hostname === new URL(PRODUCTION_BASE_URL).hostname;
}

/**
 * Refuses a stack whose `lemon-webhooks:apiBaseUrl` is production lemon.markets: there, the test event reaches
 * consumers that act on real orders.
 *
 * @throws ProductionStackError when it is production; SetupError when the config cannot be read.
 */
export async function refuseProductionStack(stack: string, runPulumi: RunPulumi): Promise<void> {
  const config = await pulumiJson(
    ["config", "--json", "--stack", stack],
    runPulumi,
    `the config of stack ${stack}`,
  );
  const entry =
    typeof config === "object" && config !== null
      ? (config as Record<string, { value?: unknown } | undefined>)[API_BASE_URL_CONFIG_KEY]
      : undefined;
  const apiBaseUrl = typeof entry?.value === "string" ? entry.value : undefined;
  if (isProductionApi(apiBaseUrl)) {
    throw new ProductionStackError(
      `stack ${stack} is production (${API_BASE_URL_CONFIG_KEY} = ${apiBaseUrl}): its consumers act on real events and would receive this test event too; pass --yes to send it anyway`,
    );
  }
}
