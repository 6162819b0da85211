import { execFileSync } from "node:child_process";
import { join } from "node:path";

/** Jest globalSetup: builds dist/lambda-bundle/receiver/index.js once per run (tests load the real bundle). */
export default function globalSetup(): void {
  execFileSync(process.execPath, [join(__dirname, "..", "scripts", "build-lambda.mjs")], {
    stdio: "inherit",
  });
}
