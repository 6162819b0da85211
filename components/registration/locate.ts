/**
 * Works out, in the Pulumi program's process, which package the provider implementation lives in, so the
 * serialized provider can find it again in the provider host (see provider.ts).
 */
import fs from "node:fs";
import path from "node:path";
import { type ProviderLocation, WebhookRegistrationProvider } from "./provider";

/**
 * The {@link ProviderLocation} of the package containing `moduleDir`: the name in the nearest `package.json`
 * at or above it (`lemon-webhooks`, or a fork's own name). Where inside that package the implementation lives
 * is fixed (see provider.ts), so nothing else is recorded.
 *
 * @throws Error when no `package.json` is found above `moduleDir` (a broken install) or it has no name.
 */
export function locateOperations(moduleDir: string = __dirname): ProviderLocation {
  for (let dir = moduleDir; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (fs.existsSync(manifest)) {
      const { name } = JSON.parse(fs.readFileSync(manifest, "utf8")) as { name?: unknown };
      if (typeof name !== "string" || name === "") {
        throw new Error(
          `WebhookRegistration provider: ${manifest} has no package name; reinstall lemon-webhooks`,
        );
      }
      return { packageName: name };
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
