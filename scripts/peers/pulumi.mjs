// The Pulumi engine peer: the `pulumi` CLI built from its Go modules at the pinned release, plus the dynamic
// provider launcher (`pulumi-resource-pulumi-nodejs`) that ships in the @pulumi/pulumi npm package.
//
// Why a wrapper module: pkg/v3's go.mod carries `replace` directives, so `go install pkg/v3/cmd/pulumi@v…`
// refuses to run; a module that merely depends on pkg/v3 ignores them. The version is stamped with -ldflags
// because Automation API checks `pulumi version` against its minimum.
//
// The language host (`pulumi-language-nodejs`, module github.com/pulumi/pulumi/sdk/nodejs/cmd/
// pulumi-language-nodejs/v3, untagged) is not served by the module proxy this project can reach (403 "This
// module version is not available" for @v/list, @latest, @v/master and @v/<release>.info, tried 2026-12-01),
// so it is not built: the engine suite runs Automation API *inline* programs, which need no language host.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { cacheDir, PeerError, run, step, versions } from "./cache.mjs";

const PKG = "github.com/pulumi/pulumi/pkg/v3";
const SDK = "github.com/pulumi/pulumi/sdk/v3";
const MAIN = `${PKG}/cmd/pulumi`;
const VERSION_VAR = `${SDK}/go/common/version.Version`;
const TOOLS_GO = `//go:build tools\n\npackage tools\n\nimport (\n\t_ "${MAIN}"\n)\n`;

/** `pulumi version` of the binary at `bin`, or undefined when it is missing or does not run. */
function installedVersion(bin) {
  if (!existsSync(bin)) return undefined;
  try {
    return execFileSync(bin, ["version"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
    }).trim();
  } catch {
    return undefined;
  }
}

/** Builds `bin` from a fresh wrapper module in `src`: go.mod + tools.go, `go get` both modules, tidy, build. */
async function build(src, bin, version) {
  try {
    execFileSync("go", ["version"], { stdio: "ignore" });
  } catch {
    throw new PeerError(
      "the Pulumi CLI is built from its Go modules and needs the Go toolchain on PATH (pkg/v3 v3.248.0 asks for Go ≥ 1.25.11; an older go fetches that toolchain through the module proxy): apt-get install golang-go, or https://go.dev/dl",
    );
  }
  const goEnv = { ...process.env, GOFLAGS: "-mod=mod", GOWORK: "off" };
  const opts = { cwd: src, env: goEnv, hint: "is the Go module proxy (proxy.golang.org) reachable?" };
  await step(`pulumi ${version}: wrapper module in ${src}`, () => {
    rmSync(src, { recursive: true, force: true });
    mkdirSync(src, { recursive: true });
    run("go", ["mod", "init", "lemonwebhooks/pulumi-cli"], opts);
    writeFileSync(join(src, "tools.go"), TOOLS_GO);
  });
  await step(`pulumi ${version}: go get ${PKG}@${version} ${SDK}@${version}`, () =>
    run("go", ["get", `${PKG}@${version}`, `${SDK}@${version}`], opts),
  );
  await step(`pulumi ${version}: go mod tidy`, () => run("go", ["mod", "tidy"], opts));
  await step(`pulumi ${version}: go build ${MAIN} (the long part: ~1,000 packages)`, () => {
    mkdirSync(dirname(bin), { recursive: true });
    const partial = `${bin}.partial`;
    run("go", ["build", "-o", partial, "-ldflags", `-X ${VERSION_VAR}=${version}`, MAIN], {
      ...opts,
      hint: "see the compiler output above",
    });
    renameSync(partial, bin); // only a complete binary ever sits at `bin`
  });
}

/**
 * The CLI for the pinned version (built on first use, cached under {@link cacheDir}) and the directories to
 * put on PATH so the engine finds both the CLI and the dynamic provider launcher.
 *
 * @returns `{ version, sdkVersion, root, bin, launcher, path, languageHost, built }` — `root` is what
 *   Automation API's `PulumiCommand.get({ root })` takes (it runs `<root>/bin/pulumi`).
 */
export async function provide() {
  const { cli: version } = versions().pulumi;
  const root = cacheDir();
  const bin = join(root, "bin", "pulumi");
  const src = join(root, "pulumi-src");
  let built = false;
  const found = installedVersion(bin);
  if (found === version) {
    process.stderr.write(`[peers] pulumi ${version}: cached at ${bin}\n`);
  } else {
    if (found !== undefined) process.stderr.write(`[peers] pulumi: ${bin} is ${found}, not ${version}: rebuilding\n`);
    await step(`pulumi ${version}: build from Go modules`, () => build(src, bin, version));
    const now = installedVersion(bin);
    if (now !== version) throw new PeerError(`built ${bin} but \`pulumi version\` says ${now ?? "nothing"}, not ${version}`);
    built = true;
  }
  const require = createRequire(new URL("../../package.json", import.meta.url));
  let sdkDir;
  try {
    sdkDir = dirname(require.resolve("@pulumi/pulumi/package.json"));
  } catch {
    throw new PeerError("@pulumi/pulumi is not installed: run `npm ci` first (it ships pulumi-resource-pulumi-nodejs)");
  }
  const launcher = join(sdkDir, "pulumi-resource-pulumi-nodejs");
  if (!existsSync(launcher)) throw new PeerError(`${launcher} is missing: reinstall @pulumi/pulumi (npm ci)`);
  const sdkVersion = `v${require("@pulumi/pulumi/package.json").version}`;
  if (sdkVersion !== version) {
    process.stderr.write(`[peers] warning: @pulumi/pulumi is ${sdkVersion}, the CLI ${version}: bump versions.json\n`);
  }
  return {
    version,
    sdkVersion,
    root,
    bin,
    launcher,
    path: [dirname(bin), sdkDir].join(":"),
    languageHost: null,
    built,
  };
}
