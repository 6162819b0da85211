#!/usr/bin/env node
/**
 * Removes tsc's output folders under dist/ (not the Lambda bundles) before a build: tsc never deletes the
 * output of a source that was moved or removed, and `npm pack` would publish such stale files.
 *
 * Usage: node scripts/clean-dist.mjs
 */
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The folders tsconfig.build.json emits into (dist/lambda-bundle is build-lambda.mjs's). */
export const TSC_OUTPUT_DIRS = ["components", "contract", "lambda", "cli"];

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const dir of TSC_OUTPUT_DIRS) rmSync(join(root, "dist", dir), { recursive: true, force: true });
}
