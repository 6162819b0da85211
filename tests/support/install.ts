/**
 * Installs lemon-webhooks into a throwaway app the way `npm install lemon-webhooks` would: exactly the files
 * `npm pack` would publish, copied to `<app>/node_modules/lemon-webhooks`, and the package's `dependencies`
 * (only those — no devDependencies, so no ts-node, no TypeScript) linked from this repository's node_modules.
 * Nothing from the repository's sources is reachable from the app, so whatever the package needs at run time
 * and does not publish fails here.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** The repository (the package being installed). */
export const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** A throwaway app with lemon-webhooks installed. */
export interface InstalledApp {
  /** The app's root: its own package.json and node_modules. */
  readonly appDir: string;
  /** `<appDir>/node_modules/lemon-webhooks`. */
  readonly packageDir: string;
  /** Paths (package-relative) of the published files. */
  readonly files: readonly string[];
  /** Removes the app. */
  remove(): void;
}

interface Manifest {
  readonly name: string;
  readonly dependencies: Record<string, string>;
}

/** The files `npm pack` would publish, as npm computes them from package.json `files` (no scripts run). */
export function publishedFiles(root: string = REPO_ROOT): string[] {
  const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const [pack] = JSON.parse(out) as [{ files: { path: string }[] }];
  return pack.files.map((file) => file.path).sort();
}

/** Creates the app; `remove()` it afterwards. */
export function installIntoTempApp(): InstalledApp {
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as Manifest;
  const appDir = fs.mkdtempSync(path.join(os.tmpdir(), "lemon-consumer-app-"));
  fs.writeFileSync(
    path.join(appDir, "package.json"),
    JSON.stringify({ name: "consumer-stack", private: true, dependencies: { [manifest.name]: "*" } }),
  );
  const packageDir = path.join(appDir, "node_modules", manifest.name);
  const files = publishedFiles();
  for (const file of files) {
    const target = path.join(packageDir, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(path.join(REPO_ROOT, file), target);
  }
  for (const dependency of Object.keys(manifest.dependencies)) {
    const link = path.join(appDir, "node_modules", dependency);
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules", dependency), link, "dir");
  }
  return { appDir, packageDir, files, remove: () => fs.rmSync(appDir, { recursive: true, force: true }) };
}
