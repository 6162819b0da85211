#!/usr/bin/env node
/**
 * Builds the receiver Lambda bundle: dist/lambda-bundle/receiver/index.js exporting `handler`
 * (Lambda handler string `index.handler`, runtime nodejs22.x, arm64).
 *
 * Plain JavaScript so it runs with no TypeScript tooling (it is the `prepare` script). Deterministic: no
 * timestamps, no source maps, no absolute paths, so two builds are byte-identical. Fails if anything from
 * outside `lambda/` (or from `lambda/local/`) would end up in the bundle: a small bundle is a fast cold start,
 * and Pulumi, axios or the local fakes have no business in production.
 *
 * Also builds the reconciler bundle (dist/lambda-bundle/reconciler/index.js, entry lambda/reconcile/main.ts)
 * under the same rules, unless `--outfile` asks for the receiver alone.
 *
 * Usage: node scripts/build-lambda.mjs [--outfile <path>]
 */
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Where `npm run build:lambda` writes the bundle. */
export const DEFAULT_OUTFILE = join(root, "dist", "lambda-bundle", "receiver", "index.js");
/** Where the reconciler bundle goes (components/reconciler deploys it). */
export const DEFAULT_RECONCILER_OUTFILE = join(root, "dist", "lambda-bundle", "reconciler", "index.js");
/** Entry point of the reconciler bundle. */
export const RECONCILER_ENTRY = "lambda/reconcile/main.ts";

/**
 * Builds the bundle to `outfile`; resolves with the bundle's input files (repository-relative paths).
 * @param {{ outfile?: string, entry?: string }} [options]
 */
export async function buildLambda({ outfile = DEFAULT_OUTFILE, entry = "lambda/main.ts" } = {}) {
  const result = await build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    legalComments: "none",
    sourcemap: false,
    metafile: true,
    logLevel: "warning",
  });
  const inputs = Object.keys(result.metafile.inputs);
  const foreign = inputs.filter((input) => !input.startsWith("lambda/") || input.startsWith("lambda/local/"));
  if (foreign.length > 0) {
    throw new Error(`the Lambda bundle may only contain lambda/ code (not lambda/local/); found: ${foreign.join(", ")}`);
  }
  return inputs;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf("--outfile");
  const outfile = at === -1 ? DEFAULT_OUTFILE : resolve(process.argv[at + 1] ?? "");
  const reconciler =
    at === -1
      ? buildLambda({ outfile: DEFAULT_RECONCILER_OUTFILE, entry: RECONCILER_ENTRY }).then((inputs) =>
          console.log(`built ${relative(process.cwd(), DEFAULT_RECONCILER_OUTFILE)} from ${inputs.length} files`),
        )
      : Promise.resolve();
  Promise.all([buildLambda({ outfile }), reconciler]).then(
    ([inputs]) => console.log(`built ${relative(process.cwd(), outfile)} from ${inputs.length} files`),
    (error) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    },
  );
}
