import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { ARTEFACTS, findPackageRoot } from "../../components/shared/package-layout";

const ROOT = findPackageRoot(__dirname);

/** Directories `tsconfig.build.json` compiles from (its entry points and everything they import). */
export const BUILD_SOURCE_DIRS = ["components", "contract", "lambda", "cli"] as const;
/** Files whose change changes the emitted output as much as a source does. */
const BUILD_CONFIG_FILES = ["tsconfig.json", "tsconfig.build.json"] as const;
/**
 * Emitted files the published package cannot work without (the entry point package.json `main` names, and the
 * operations module and CLI where components/shared/package-layout.ts says they are); the first one's mtime
 * stamps the build.
 */
export const BUILD_OUTPUTS = [
  "dist/components/index.js",
  ARTEFACTS.operations.built,
  ARTEFACTS.cli.built,
] as const;

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return path.endsWith(".ts") || path.endsWith(".json") ? stat.mtimeMs : 0;
  return readdirSync(path).reduce((newest, entry) => Math.max(newest, newestMtime(join(path, entry))), 0);
}

/**
 * True when `dist/` is missing an output or a source under {@link BUILD_SOURCE_DIRS} (or a tsconfig) changed
 * after the last build started.
 */
export function buildIsStale(root: string = ROOT): boolean {
  if (!BUILD_OUTPUTS.every((output) => existsSync(join(root, output)))) return true;
  const built = statSync(join(root, BUILD_OUTPUTS[0])).mtimeMs;
  const sources = [...BUILD_SOURCE_DIRS, ...BUILD_CONFIG_FILES]
    .map((entry) => join(root, entry))
    .filter((path) => existsSync(path));
  return sources.some((path) => newestMtime(path) > built);
}

/**
 * Jest globalSetup. Builds the Lambda bundles every run (esbuild, well under a second; the build records the
 * content hashes the components and the sandbox check a bundle against), and the published `dist/` (tsc, tens
 * of seconds) only when a source is newer than it: tests/consumer loads the package the way a consumer does,
 * so it must never see a stale build, and an unchanged tree must not pay for a rebuild.
 *
 * Why file times here and content hashes for the bundles: a bundle's record lists exactly the files esbuild
 * read, so a hash of them decides staleness with no false answer, and it is checked where it matters (deploy,
 * sandbox). tsc's output depends on every file of the compiled tree and the tsconfigs, and a wrong "fresh"
 * here costs only a test run against an old build while a wrong "stale" costs 25 s; comparing times errs
 * towards rebuilding (a touched or checked-out file rebuilds) and needs no record kept in step with tsc.
 */
export default function globalSetup(): void {
  execFileSync(process.execPath, [join(ROOT, "scripts", "build-lambda.mjs")], { stdio: "inherit" });
  if (!buildIsStale()) return;
  // Stamped with the time the build started: a source saved while tsc runs still counts as newer.
  const started = new Date();
  // tsc never deletes what a moved or removed source emitted; the packed package must not carry it.
  execFileSync(process.execPath, [join(ROOT, "scripts", "clean-dist.mjs")], { stdio: "inherit" });
  const tsc = spawnSync(
    process.execPath,
    [require.resolve("typescript/bin/tsc"), "-p", join(ROOT, "tsconfig.build.json")],
    { cwd: ROOT, encoding: "utf8" },
  );
  // 2: type errors, output emitted anyway. Another engineer's half-edited file must not stop every suite;
  // `npm test` reports type errors through `npm run typecheck` before jest starts.
  if (tsc.status !== 0 && tsc.status !== 2) {
    throw new Error(`tsc -p tsconfig.build.json failed (status ${tsc.status}):\n${tsc.stdout}${tsc.stderr}`);
  }
  if (tsc.status === 2) console.warn(`tsc -p tsconfig.build.json reported type errors:\n${tsc.stdout}`);
  utimesSync(join(ROOT, BUILD_OUTPUTS[0]), started, started);
}
