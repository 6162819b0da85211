/**
 * Runs a tiny Pulumi program under `pulumi.runtime.setMocks` that declares one WebhookRegistration, and
 * records what the engine would receive: the inputs (with the serialized `__provider`) and the
 * `additionalSecretOutputs` of the RegisterResource request. Like the engine, the mock monitor then marks
 * the outputs named there as secret, so a test can see what a real deployment would see.
 */
import * as pulumi from "@pulumi/pulumi";
import type { RegisterResourceRequest, RegisterResourceResponse } from "@pulumi/pulumi/proto/resource_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { WebhookRegistration, type WebhookRegistrationArgs } from "../../components/registration";

/** What one declaration of a WebhookRegistration sent to the (mock) engine. */
export interface Declared {
  readonly resource: WebhookRegistration;
  /** Inputs as the engine receives them, `__provider` included. */
  readonly inputs: Record<string, unknown>;
  /** The serialized provider (`inputs.__provider`). */
  readonly provider: string;
  /** `additionalSecretOutputs` of the RegisterResource request. */
  readonly additionalSecretOutputs: string[];
  /** Type token of the RegisterResource request. */
  readonly type: string;
}

/** Output values the mock "provider" returns: a fixed id and secret. */
export const MOCK_WEBHOOK_ID = "wbh_mock0000000000000000000000000000";
export const MOCK_SIGNATURE_SECRET = "mock-signature-secret-0123456789abcdef";

interface Monitor {
  registerResource(
    req: RegisterResourceRequest,
    callback: (error: Error | null, res?: RegisterResourceResponse) => void,
  ): void;
}

/**
 * Declares `new WebhookRegistration(name, args, opts)` under mocks and resolves once it is registered.
 * `config` becomes the stack config (e.g. `{ "lemonmarkets:apiKey": key }`).
 */
export async function declareRegistration(
  args: WebhookRegistrationArgs,
  opts: pulumi.CustomResourceOptions = {},
  config: Record<string, string> = {},
  name = "registration",
): Promise<Declared> {
  const registered: Omit<Declared, "resource">[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (resource) => {
        return {
          id: MOCK_WEBHOOK_ID,
          state: { ...resource.inputs, webhookId: MOCK_WEBHOOK_ID, signatureSecret: MOCK_SIGNATURE_SECRET },
        };
      },
      call: (call) => {
        throw new Error(`unexpected call ${call.token}`);
      },
    },
    "lemon-webhooks",
    "test",
    false,
  );
  pulumi.runtime.setAllConfig(config, Object.keys(config));
  const monitor = pulumi.runtime.getMonitor() as unknown as Monitor;
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    const additionalSecretOutputs = req.getAdditionalsecretoutputsList();
    const inputs = pulumi.runtime.deserializeProperties(req.getObject() ?? new Struct());
    registered.push({
      inputs,
      provider: String(inputs.__provider),
      additionalSecretOutputs,
      type: req.getType(),
    });
    original(req, (error, res) => {
      if (res !== undefined) markSecret(res, additionalSecretOutputs);
      callback(error, res);
    });
  };
  const resource = new WebhookRegistration(name, args, opts);
  await promiseOf(resource.urn);
  const [only, ...others] = registered;
  if (only === undefined || others.length > 0)
    throw new Error(`expected 1 registration, got ${registered.length}`);
  return { resource, ...only };
}

/** The value of an output (test helper; `pulumi.Output` has no public promise accessor). */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

/** What the engine does with `additionalSecretOutputs`: wraps those outputs in the secret signature. */
function markSecret(res: RegisterResourceResponse, names: readonly string[]): void {
  const object = (res.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>;
  for (const name of names) {
    if (name in object) {
      object[name] = { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value: object[name] };
    }
  }
  res.setObject(Struct.fromJavaScript(object as Parameters<typeof Struct.fromJavaScript>[0]));
}
