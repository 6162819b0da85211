/**
 * `npm run emulator -- [options]`: runs the local lemon.markets until Ctrl-C and prints its base URL.
 * User-supplied API keys are never printed; only the documented default key is, since it is public.
 */
import { formatSignatureScheme } from "../contract/signature-presets";
import { CLI_USAGE, parseCliArgs } from "./cli-args";
import { DEFAULT_API_KEYS, startEmulator } from "./server";

async function main(argv: readonly string[]): Promise<void> {
  let cli: ReturnType<typeof parseCliArgs>;
  try {
    cli = parseCliArgs(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${CLI_USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (cli.help) {
    process.stdout.write(`${CLI_USAGE}\n`);
    return;
  }
  const emulator = await startEmulator({
    ...cli.emulator,
    log: cli.quiet ? undefined : (line) => process.stdout.write(`${line}\n`),
  });
  const keys = cli.emulator.apiKeys
    ? `${cli.emulator.apiKeys.length} API key(s) from --api-key`
    : `API key: ${DEFAULT_API_KEYS[0]}`;
  process.stdout.write(
    `lemon.markets emulator: ${emulator.baseUrl}\n${keys}; seed ${emulator.seed}; ` +
      `deliveries signed with ${formatSignatureScheme(emulator.signatureScheme)}\n` +
      `emit an event: curl -X POST ${emulator.baseUrl.replace(/\/v1$/, "")}/_emulator/events ` +
      `-d '{"type":"account.created","context":{"account":"cusa_33531f7f801d4ce997747470ab7208fd"}}'\n`,
  );
  const stop = () => {
    void emulator.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

void main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`emulator failed to start: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
