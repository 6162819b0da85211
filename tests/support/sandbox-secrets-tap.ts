/**
 * `npm start` with one addition, for the test that proves the printed story holds no secret: through the
 * sandbox's `onStarted` hook, the run's API key and signature secret (throwaway values of its own emulator)
 * go as one JSON line to fd 3, a pipe the test opened ({@link runCli}'s `revealSecrets`), never to stdout or
 * stderr. Everything else is the sandbox CLI's own process code (`runAsProcess`).
 */
import fs from "node:fs";
import { runAsProcess } from "../../sandbox/cli";

/** The file descriptor the test opens as a pipe for the secrets. */
export const SECRETS_FD = 3;

runAsProcess(process.argv.slice(2), {
  onStarted: (sandbox) => {
    const signatureSecret = sandbox.registration()?.outputs.signatureSecret;
    fs.writeSync(SECRETS_FD, `${JSON.stringify({ apiKey: sandbox.apiKey, signatureSecret })}\n`);
  },
});
