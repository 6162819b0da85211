#!/usr/bin/env node
/**
 * Builds the receiver Lambda bundle: dist/lambda-bundle/receiver/index.js exporting `handler`
 * (Lambda handler string, runtime and architecture from contract/runtime.json, the file the components read too).
 *
 * Plain JavaScript so it runs with no TypeScript tooling (it is the `prepare` script). Deterministic: no
 * timestamps, no source maps, no absolute paths, so two builds are byte-identical. Fails if anything from
 * outside `lambda/` (or from `local/`) would end up in the bundle: a small bundle is a fast cold start,
 * and Pulumi, axios or the local fakes have no business in production.
 *
 * Also builds the reconciler bundle (dist/lambda-bundle/reconciler/index.js, entry lambda/reconciler/main.ts)
 * and the forwarder bundle (dist/lambda-bundle/forwarder/index.js, entry lambda/forwarder/main.ts: the
 * table stream's consumer) under the same rules, unless `--outfile` asks for the receiver alone.
 *
 * Next to each default bundle directory, OUTSIDE it (so the archived code and its hash stay the same), it writes
 * `<dir>.sources.json`: the SHA-256 of every input file. The component and `npm start` compare it with the
 * sources of a checkout to refuse or rebuild a stale bundle (components/shared/bundles.ts).
 *
 * Usage: node scripts/build-lambda.mjs [--outfile <path>]
 */
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The Lambda runtime both functions are deployed on (contract/runtime.json, read by the components too). */
export const RUNTIME_FILE = "contract/runtime.json";
export const LAMBDA_RUNTIME = JSON.parse(readFileSync(join(root, RUNTIME_FILE), "utf8"));

/**
 * esbuild's target for a Lambda runtime: `nodejs24.x` → `node24`, so the bundle is built for exactly the
 * Node.js major it runs on.
 */
export function esbuildTargetOf(runtime) {
  const match = /^nodejs(\d+)\.x$/.exec(runtime);
  if (match === null) throw new Error(`contract/runtime.json: runtime must look like nodejs24.x (got ${runtime})`);
  return `node${match[1]}`;
}

/** Where `npm run build:lambda` writes the bundle. */
export const DEFAULT_OUTFILE = join(root, "dist", "lambda-bundle", "receiver", "index.js");
/** Where the reconciler bundle goes (components/reconciler deploys it). */
export const DEFAULT_RECONCILER_OUTFILE = join(root, "dist", "lambda-bundle", "reconciler", "index.js");
/** Entry point of the reconciler bundle. */
export const RECONCILER_ENTRY = "lambda/reconciler/main.ts";
/** Where the forwarder bundle goes (the components deploy it on the table's stream). */
export const DEFAULT_FORWARDER_OUTFILE = join(root, "dist", "lambda-bundle", "forwarder", "index.js");
/** Entry point of the forwarder bundle. */
export const FORWARDER_ENTRY = "lambda/forwarder/main.ts";

/** The sources record of the bundle whose `index.js` is `outfile`: `<bundle dir>.sources.json`. */
export function sourcesFileOf(outfile) {
  return `${dirname(outfile)}.sources.json`;
}

/**
 * Builds the bundle to `outfile`; resolves with the bundle's input files (repository-relative paths).
 * With `sourcesFile`, also records each input's SHA-256 there (sorted keys: deterministic too).
 * @param {{ outfile?: string, entry?: string, sourcesFile?: string }} [options]
 */
export async function buildLambda({ outfile = DEFAULT_OUTFILE, entry = "lambda/receiver/main.ts", sourcesFile } = {}) {
  const result = await build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: true,
    platform: "node",
    target: esbuildTargetOf(LAMBDA_RUNTIME.runtime),
    format: "cjs",
    legalComments: "none",
    sourcemap: false,
    metafile: true,
    logLevel: "warning",
  });
  const inputs = Object.keys(result.metafile.inputs);
  const foreign = inputs.filter((input) => !input.startsWith("lambda/") || input.startsWith("local/"));
  if (foreign.length > 0) {
    throw new Error(`the Lambda bundle may only contain lambda/ code (not local/); found: ${foreign.join(", ")}`);
  }
  if (sourcesFile !== undefined) {
    // The runtime file decides the esbuild target, so it is an input of the bytes as much as any source.
    const hashes = Object.fromEntries(
      [...inputs, RUNTIME_FILE].sort().map((input) => [input, createHash("sha256").update(readFileSync(join(root, input))).digest("hex")]),
    );
    writeFileSync(sourcesFile, `${JSON.stringify({ entry, inputs: hashes }, null, 2)}\n`);
  }
  return inputs;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf("--outfile");
  const outfile = at === -1 ? DEFAULT_OUTFILE : resolve(process.argv[at + 1] ?? "");
  const extra = (file, entry) =>
    buildLambda({ outfile: file, entry, sourcesFile: sourcesFileOf(file) }).then((inputs) =>
      console.log(`built ${relative(process.cwd(), file)} from ${inputs.length} files`),
    );
  const others =
    at === -1
      ? Promise.all([
          extra(DEFAULT_RECONCILER_OUTFILE, RECONCILER_ENTRY),
          extra(DEFAULT_FORWARDER_OUTFILE, FORWARDER_ENTRY),
        ])
      : Promise.resolve();
  // A custom --outfile gets no sources record: only the default bundles are checked against the checkout.
  const sourcesFile = at === -1 ? sourcesFileOf(outfile) : undefined;
  Promise.all([buildLambda({ outfile, sourcesFile }), others]).then(
    ([inputs]) => console.log(`built ${relative(process.cwd(), outfile)} from ${inputs.length} files`),
    (error) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    },
  );
}
