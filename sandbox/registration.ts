/**
 * Registration through the WebhookRegistration provider — the very code Pulumi's provider host runs during
 * `pulumi up` / `pulumi destroy` — called directly: `configure` with the stack config (the API key as
 * `lemonmarkets:apiKey`), then `check` → `create`, and `delete` at the end.
 */
import type * as pulumi from "@pulumi/pulumi";
import {
  API_KEY_CONFIG_KEY,
  locateOperations,
  type RegistrationOutputs,
  WebhookRegistrationProvider,
} from "../components/registration";
import { SandboxError } from "./errors";
import { GUIDE_PRIVACY } from "./guide";

/** A webhook registered through the provider. */
export interface Registration {
  /** `wbh_…` */
  readonly webhookId: string;
  /** Subscribed types, as the provider normalised them (sorted). */
  readonly events: readonly string[];
  /** The provider's outputs; `signatureSecret` is in here, so never print this object. */
  readonly outputs: RegistrationOutputs;
}

/** What the sandbox registers with. */
export interface RegistrationRequest {
  readonly apiBaseUrl: string;
  readonly url: string;
  readonly events: readonly string[];
}

/** Stack config as the engine hands it to `configure`: keys `namespace:key`, secrets already decrypted. */
function stackConfig(values: Readonly<Record<string, string>>): pulumi.dynamic.Config {
  return {
    get: (key) => values[key],
    require: (key) => {
      const value = values[key];
      if (value === undefined) throw new Error(`missing required configuration key ${key}`);
      return value;
    },
  };
}

/** A provider configured like `pulumi up` with `lemonmarkets:apiKey` set would configure it. */
export async function configuredProvider(apiKey: string): Promise<WebhookRegistrationProvider> {
  const provider = new WebhookRegistrationProvider(locateOperations());
  await provider.configure({ config: stackConfig({ [API_KEY_CONFIG_KEY]: apiKey }) });
  return provider;
}

/**
 * `check` → `create`, as the engine does for a new WebhookRegistration.
 * @throws {SandboxError} naming the rejected property, or carrying the provider's error (which never holds the key).
 */
export async function registerWebhook(
  provider: WebhookRegistrationProvider,
  request: RegistrationRequest,
): Promise<Registration> {
  const step = "registering the webhook";
  const checked = await provider.check(
    {},
    {
      url: request.url,
      events: [...request.events],
      apiBaseUrl: request.apiBaseUrl,
      privacyPrincipal: GUIDE_PRIVACY.principal,
      privacyJustification: GUIDE_PRIVACY.justification,
    },
  );
  const failures = checked.failures ?? [];
  if (failures.length > 0) {
    const reasons = failures.map((failure) => `${failure.property}: ${failure.reason}`).join("; ");
    throw new SandboxError(
      step,
      `the provider's check refused the inputs (${reasons})`,
      "Fix the inputs named above",
    );
  }
  try {
    const created = await provider.create(checked.inputs ?? {});
    return { webhookId: created.id, events: created.outs?.events ?? [], outputs: created.outs! };
  } catch (error) {
    throw new SandboxError(
      step,
      `the provider's create failed: ${error instanceof Error ? error.message : String(error)}`,
      "Check the emulator is running and accepts the sandbox API key",
      { cause: error },
    );
  }
}

/** `delete`, as `pulumi destroy` does; a webhook that is already gone counts as deleted. */
export async function unregisterWebhook(
  provider: WebhookRegistrationProvider,
  registration: Registration,
): Promise<void> {
  try {
    await provider.delete(registration.webhookId, registration.outputs);
  } catch (error) {
    throw new SandboxError(
      "unregistering the webhook",
      `the provider's delete failed: ${error instanceof Error ? error.message : String(error)}`,
      "The emulator forgets everything when it stops, so nothing is left behind",
      { cause: error },
    );
  }
}
