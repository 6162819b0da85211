// moto in server mode (PyPI `moto[server]`, version pinned in versions.json): an independent implementation of
// DynamoDB, Secrets Manager, EventBridge, SQS and CloudWatch Logs that the peer suite runs the bundles against.
// Installed once into a Python venv under the cache dir (<cache>/moto-<version>); reused while that version is
// there. `provide()` returns where `moto_server` is.
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cacheDir, PeerError, run, step, versions } from "./cache.mjs";

/** Written last by a successful install. */
const COMPLETE = ".lemon-webhooks-complete";

/** The Python the venv is made from; PYTHON overrides. */
const PYTHON = process.env.PYTHON ?? "python3";

function pinned() {
  const version = versions().moto?.version;
  if (typeof version !== "string" || !/^\d+\.\d+\.\d+$/.test(version)) {
    throw new PeerError('scripts/peers/versions.json has no moto.version like "5.2.5"; pin one there');
  }
  return version;
}

/** What an installed venv reports as its moto version, or undefined when there is none (or it is broken). */
function installedVersion(python) {
  if (!existsSync(python)) return undefined;
  try {
    return run(python, ["-c", "import importlib.metadata as m; print(m.version('moto'))"], {
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return undefined;
  }
}

function checkPython() {
  try {
    const version = run(PYTHON, ["-c", "import sys, venv, ensurepip; print('%d.%d' % sys.version_info[:2])"], {
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
    const [major, minor] = version.split(".").map(Number);
    if (major !== 3 || minor < 9) throw new PeerError(`moto needs Python ≥ 3.9; ${PYTHON} is ${version}`);
    return version;
  } catch (error) {
    if (error instanceof PeerError && !error.message.startsWith("`")) throw error;
    throw new PeerError(
      `${PYTHON} with the venv and ensurepip modules is missing; install it (Debian: apt-get install python3 python3-venv) or set PYTHON to one`,
    );
  }
}

/**
 * Ensures `moto[server]==<pinned>` is installed in its venv.
 *
 * @returns {Promise<{version: string, venv: string, python: string, server: string, installed: boolean}>}
 */
export async function provide() {
  const version = pinned();
  const venv = join(cacheDir(), `moto-${version}`);
  const python = join(venv, "bin", "python");
  const server = join(venv, "bin", "moto_server");
  if (existsSync(join(venv, COMPLETE)) && installedVersion(python) === version && existsSync(server)) {
    process.stderr.write(`[peers] moto ${version}: cached in ${venv}\n`);
    return { version, venv, python, server, installed: false };
  }
  const pythonVersion = checkPython();
  // Built in place (venv scripts carry the venv's absolute path), and marked complete only at the end: an
  // interrupted install never looks installed and is started afresh.
  const building = venv;
  rmSync(venv, { recursive: true, force: true });
  mkdirSync(cacheDir(), { recursive: true });
  await step(`moto ${version}: creating a Python ${pythonVersion} venv`, () =>
    run(PYTHON, ["-m", "venv", building]),
  );
  await step(`moto ${version}: pip install "moto[server]==${version}" from PyPI`, () =>
    run(
      join(building, "bin", "python"),
      ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", `moto[server]==${version}`],
      {
        hint: "PyPI must be reachable (pip's own configuration applies: index, proxy, certificates)",
        stdio: ["ignore", "inherit", "inherit"],
      },
    ),
  );
  if (installedVersion(join(building, "bin", "python")) !== version) {
    throw new PeerError(`pip finished but moto ${version} is not importable from ${building}`);
  }
  writeFileSync(join(venv, COMPLETE), `${version}\n`);
  return { version, venv, python, server, installed: true };
}
