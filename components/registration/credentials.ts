/**
 * Where the provider gets the lemon.markets API key: the stack config the engine hands to `configure`
 * (secrets already decrypted), else the environment. Read at every operation, never a property of the
 * resource and never captured by the serialized provider. The engine itself records the stack config as the
 * inputs of the default `pulumi-nodejs` provider, and configures `refresh`/`destroy` (without
 * `--run-program`) from that record: after a key rotation they use the new key once `pulumi up` has run.
 */
import type * as pulumi from "@pulumi/pulumi";
import { API_KEY_CONFIG_KEY, API_KEY_ENV_VAR } from "./types";

/** The API key is neither in stack config nor in the environment. */
export class MissingApiKeyError extends Error {
  override readonly name = "MissingApiKeyError";

  constructor(operation: string) {
    super(
      `lemon.markets API key missing for WebhookRegistration ${operation}: ` +
        `run \`pulumi config set --secret ${API_KEY_CONFIG_KEY} <key>\` (or set ${API_KEY_ENV_VAR} in the environment)`,
    );
  }
}

/**
 * The API key from `config` (`lemonmarkets:apiKey`), falling back to `env.LEMON_MARKETS_API_KEY`.
 *
 * @throws MissingApiKeyError naming the config command when neither is set or both are blank.
 */
export function resolveApiKey(
  config: pulumi.dynamic.Config | undefined,
  operation: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const fromConfig = config?.get(API_KEY_CONFIG_KEY);
  if (typeof fromConfig === "string" && fromConfig.trim() !== "") return fromConfig;
  const fromEnv = env[API_KEY_ENV_VAR];
  if (typeof fromEnv === "string" && fromEnv.trim() !== "") return fromEnv;
  throw new MissingApiKeyError(operation);
}
