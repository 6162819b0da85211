/**
 * The stack program's inputs as the Pulumi CLI hands them over: Pulumi.yaml's declared defaults under
 * Pulumi.dev.yaml's values, every value a string (what `PULUMI_CONFIG` carries).
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "yaml";

export const ROOT = resolve(__dirname, "..", "..");
export const NAMESPACE = "lemon-webhooks";

interface ProjectConfigDeclaration {
  readonly type: string;
  readonly default?: unknown;
}

export const project = parse(readFileSync(join(ROOT, "Pulumi.yaml"), "utf8")) as {
  name: string;
  main: string;
  config: Record<string, ProjectConfigDeclaration>;
};
export const devStack = parse(readFileSync(join(ROOT, "Pulumi.dev.yaml"), "utf8")) as {
  config: Record<string, unknown>;
};

/** What the Pulumi CLI hands the program: project defaults under the stack's values, all as strings. */
export function cliConfig(): Record<string, string> {
  const merged: Record<string, unknown> = {};
  for (const [key, declaration] of Object.entries(project.config)) {
    if (declaration.default !== undefined) merged[`${NAMESPACE}:${key}`] = declaration.default;
  }
  Object.assign(merged, devStack.config);
  const missing = Object.keys(project.config).filter((key) => merged[`${NAMESPACE}:${key}`] === undefined);
  if (missing.length > 0) throw new Error(`Pulumi.dev.yaml is missing required config ${missing.join(", ")}`);
  return Object.fromEntries(
    Object.entries(merged).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
  );
}
