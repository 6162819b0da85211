/**
 * Works out, in the Pulumi program's process, where the provider implementation lives relative to the
 * package root, so the serialized provider can find it again in the provider host (see provider.ts).
 */
import fs from "node:fs";
import path from "node:path";
import { type ProviderLocation, WebhookRegistrationProvider } from "./provider";

/**
 * The {@link ProviderLocation} of the operations module next to `moduleDir`: the nearest `package.json`
 * at or above it is the package root. `moduleFile` tells sources (`.ts`) from a build (`.js`).
 *
 * @throws Error when no `package.json` is found above `moduleDir` (a broken install).
 */
export function locateOperations(
  moduleDir: string = __dirname,
  moduleFile: string = __filename,
): ProviderLocation {
  for (let dir = moduleDir; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (fs.existsSync(manifest)) {
      const { name } = JSON.parse(fs.readFileSync(manifest, "utf8")) as { name?: unknown };
      if (typeof name !== "string" || name === "") {
        throw new Error(
          `WebhookRegistration provider: ${manifest} has no package name; reinstall lemon-webhooks`,
        );
      }
      const relative = path.relative(dir, path.join(moduleDir, "operations"));
      return {
        packageName: name,
        operationsModule: relative.split(path.sep).join("/"),
        typescript: moduleFile.endsWith(".ts"),
      };
    }
    if (path.dirname(dir) === dir) {
      throw new Error(
        `WebhookRegistration provider: no package.json above ${moduleDir}; reinstall lemon-webhooks`,
      );
    }
  }
}

let shared: WebhookRegistrationProvider | undefined;

/**
 * The provider every WebhookRegistration uses. One instance, so Pulumi serializes it once per program run
 * (it caches serializations per provider object).
 */
export function sharedProvider(): WebhookRegistrationProvider {
  shared ??= new WebhookRegistrationProvider(locateOperations());
  return shared;
}
