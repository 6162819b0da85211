/**
 * Where the package root is and where its built artefacts live — the one answer to "checkout or installed
 * package?". The package runs from two layouts:
 *  - a checkout (this repository, or a fork): the TypeScript sources beside `dist/`, run through ts-node or
 *    jest; `dist/` may be older than the sources;
 *  - an installed package (`node_modules/lemon-webhooks`): only what `files` in package.json ships, i.e. the
 *    build under `dist/`, `bin/`, no sources.
 * In both every artefact sits at the same path relative to the package root, so the root is found by walking up
 * to the `package.json` named `lemon-webhooks`, never by counting `..` (the depth differs between the two).
 *
 * An artefact "runs from source" in a root that holds its sources ({@link isCheckout}); otherwise its build is
 * used. Dependency-free (node:fs and node:path only): the components, the CLI launcher (`bin/`, through this
 * file's build when installed), the sandbox and the test setup all load it.
 *
 * One copy is deliberately left outside: the registration provider (components/registration/provider.ts)
 * writes out the operations paths itself, because Pulumi serializes that code into users' state, where it cannot
 * import anything and must keep finding these exact paths forever. tests/components/shared/package-layout.test.ts
 * checks the two agree.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** The package whose root holds the artefacts (`name` in its package.json). */
export const PACKAGE_NAME = "lemon-webhooks";

/** The Lambda bundles `npm run build:lambda` (scripts/build-lambda.mjs) writes. */
export const LAMBDA_NAMES = ["receiver", "forwarder", "reconciler"] as const;
export type LambdaName = (typeof LAMBDA_NAMES)[number];

/** Everything of the package that exists both as sources (in a checkout) and as a build. */
export type Artefact = LambdaName | "cli" | "operations";

/** Where one artefact lives, relative to the package root ('/'-separated). */
export interface ArtefactPaths {
  /** The built artefact: a bundle directory, or the compiled module. */
  readonly built: string;
  /** What is only present in a checkout: the sources the artefact is built from. */
  readonly source: string;
}

/** The table: every artefact's built path and sources, relative to the package root. */
export const ARTEFACTS: Readonly<Record<Artefact, ArtefactPaths>> = {
  // A bundle is built from `lambda/` (and contract/); `lambda/` is not shipped, so its presence means a checkout.
  receiver: { built: "dist/lambda-bundle/receiver", source: "lambda" },
  forwarder: { built: "dist/lambda-bundle/forwarder", source: "lambda" },
  reconciler: { built: "dist/lambda-bundle/reconciler", source: "lambda" },
  cli: { built: "dist/cli/main.js", source: "cli/main.ts" },
  // Frozen: provider code stored in users' state loads these two paths (see components/registration/provider.ts).
  operations: {
    built: "dist/components/registration/operations.js",
    source: "components/registration/operations.ts",
  },
};

/** The handler file inside a bundle directory (handler string `index.handler`). */
export const BUNDLE_ENTRY_FILE = "index.js";

function fromRoot(root: string, relative: string): string {
  return join(root, ...relative.split("/"));
}

function packageNameAt(dir: string): string | undefined {
  const file = join(dir, "package.json");
  if (!existsSync(file)) return undefined;
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
    return typeof parsed === "object" &&
      parsed !== null &&
      "name" in parsed &&
      typeof parsed.name === "string"
      ? parsed.name
      : undefined;
  } catch {
    // A broken package.json on the way up is not ours; keep walking.
    return undefined;
  }
}

/**
 * The nearest directory at or above `start` whose package.json is named {@link PACKAGE_NAME}.
 * @throws Error when there is none (`hint` says what the caller can do instead).
 */
export function findPackageRoot(
  start: string = __dirname,
  hint = "pass lambdaBundleDir to LemonWebhookReceiver",
): string {
  let dir = start;
  for (;;) {
    if (packageNameAt(dir) === PACKAGE_NAME) return dir;
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(`Cannot find the ${PACKAGE_NAME} package root above ${start}; ${hint}`);
    dir = parent;
  }
}

/** True when `root` holds the sources of `artefact` (a checkout), false in an installed package. */
export function isCheckout(root: string, artefact: Artefact): boolean {
  return existsSync(fromRoot(root, ARTEFACTS[artefact].source));
}

/** Absolute path of the built `artefact` in the package at `root` (whether or not it has been built). */
export function builtPath(root: string, artefact: Artefact): string {
  return fromRoot(root, ARTEFACTS[artefact].built);
}

/** Absolute path of the sources of `artefact` in the package at `root` (present only in a checkout). */
export function sourcePath(root: string, artefact: Artefact): string {
  return fromRoot(root, ARTEFACTS[artefact].source);
}

/**
 * The module to load for `artefact` ("cli" or "operations") in the package at `root`: the TypeScript source in
 * a checkout (needs a TypeScript loader), the build in an installed package.
 */
export function moduleToLoad(root: string, artefact: "cli" | "operations"): string {
  return isCheckout(root, artefact) ? sourcePath(root, artefact) : builtPath(root, artefact);
}
