/**
 * Where the built receiver Lambda bundle lives. The component runs from two layouts:
 *  - this repository via ts-node: `<root>/components/receiver/bundle-path.ts`
 *  - an installed package: `node_modules/lemon-webhooks/dist/components/receiver/bundle-path.js`
 * In both the bundle is `<package root>/dist/lambda-bundle/receiver`, so we walk up to the `package.json` named
 * `lemon-webhooks` instead of counting `..` segments (which differ between the two layouts).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** The package whose root holds the bundle. */
export const PACKAGE_NAME = "lemon-webhooks";
/** Bundle directory relative to the package root (written by `npm run build:lambda`). */
export const BUNDLE_RELATIVE_DIR = join("dist", "lambda-bundle", "receiver");
/** The handler file inside the bundle directory (handler string `index.handler`). */
export const BUNDLE_ENTRY_FILE = "index.js";

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

/** The nearest directory at or above `start` whose package.json is named `lemon-webhooks`. */
export function findPackageRoot(start: string = __dirname): string {
  let dir = start;
  for (;;) {
    if (packageNameAt(dir) === PACKAGE_NAME) return dir;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(
        `Cannot find the ${PACKAGE_NAME} package root above ${start}; pass lambdaBundleDir to LemonWebhookReceiver`,
      );
    }
    dir = parent;
  }
}

/** The default bundle directory of the installed (or checked-out) package. */
export function defaultBundleDir(start: string = __dirname): string {
  return join(findPackageRoot(start), BUNDLE_RELATIVE_DIR);
}

/** True when `dir` holds a built bundle. */
export function bundleExists(dir: string): boolean {
  return existsSync(join(dir, BUNDLE_ENTRY_FILE));
}

/** The message for a missing bundle: says where it was expected and how to build it. */
export function missingBundleMessage(dir: string): string {
  return `The receiver Lambda bundle ${join(dir, BUNDLE_ENTRY_FILE)} does not exist: run "npm run build:lambda" first`;
}
