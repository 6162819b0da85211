/**
 * `startSandbox`: the whole delivery path of a deployment, on localhost. The lemon.markets emulator; the
 * built receiver Lambda bundle in its own process behind the local API Gateway; Secrets Manager, DynamoDB
 * (dynalite) and EventBridge stand-ins chosen by the Lambda's environment (endpoint overrides), not by code;
 * and the webhook registered through the WebhookRegistration provider, its secret put into the local
 * Secrets Manager as the component does on AWS. Reusable by tests and load tests: every handle is returned.
 */
import { randomBytes } from "node:crypto";
import { type DeliveryOptions, type Emulator, type LemonEvent, startEmulator } from "../emulator";
import {
  type FakeEventBridge,
  type FakeSecretsManager,
  type LocalDynamo,
  localReceiverEnv,
  startFakeEventBridge,
  startFakeSecretsManager,
  startLocalDynamo,
} from "../lambda/local";
import { DEFAULT_EVENTS } from "./args";
import { ensureReceiverBundle } from "./bundle";
import { type LambdaProcess, type ReceiverLogRecord, startLambdaProcess } from "./lambda-process";
import { configuredProvider, type Registration, registerWebhook, unregisterWebhook } from "./registration";

/**
 * How the sandbox's emulator delivers: every event twice (`duplicateRate: 1`, lemon.markets' at-least-once
 * made visible) and one attempt at a time (`concurrency: 1`), so the copy deterministically arrives after
 * the original was forwarded and is answered as a duplicate. Retries are quick so a failure shows fast.
 */
export const SANDBOX_DELIVERY: Readonly<DeliveryOptions> = Object.freeze({
  duplicateRate: 1,
  concurrency: 1,
  maxAttempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 2_000,
});

/** API Gateway route of the receiver, as the component creates it. */
export const RECEIVER_ROUTE = "/webhooks/lemon-markets";

/** EventBridge bus the local receiver forwards to. */
export const SANDBOX_EVENT_BUS = "lemon-webhooks-sandbox";

/** Progress of {@link startSandbox}, one notification per finished step. */
export type SandboxProgress =
  | { readonly step: "emulator"; readonly baseUrl: string }
  | { readonly step: "building-bundle" }
  | {
      readonly step: "receiver";
      readonly url: string;
      readonly bundlePath: string;
      readonly secretsManager: string;
      readonly dynamo: string;
      readonly eventBridge: string;
    }
  | {
      readonly step: "registered";
      readonly webhookId: string;
      readonly events: readonly string[];
      readonly secretArn: string;
    };

/** Options of {@link startSandbox}; all optional. */
export interface SandboxOptions {
  /** Event types to subscribe to. Default `["account.created"]`, as in the guide. */
  readonly events?: readonly string[];
  /** Emulator delivery settings, merged over {@link SANDBOX_DELIVERY}. */
  readonly delivery?: DeliveryOptions;
  /** Emulator seed (duplicates, reorder). */
  readonly seed?: number;
  /** Receiver bundle to run. Default: the repository's build, built first if missing. */
  readonly bundlePath?: string;
  readonly onProgress?: (progress: SandboxProgress) => void;
  /** Every request log line of the receiver Lambda, as it arrives. */
  readonly onReceiverLog?: (record: ReceiverLogRecord) => void;
}

/** An event that reached the EventBridge bus, decoded from the entry's `Detail`. */
export interface ForwardedEvent {
  readonly id: string;
  readonly type: string;
  readonly createdAt: string;
  readonly context: Readonly<Record<string, string>>;
  /** EventBridge `DetailType` (the event type) and `Source` (`lemon.markets`) as the receiver set them. */
  readonly detailType: string;
  readonly source: string;
  readonly eventBusName: string;
}

/** A running sandbox. */
export interface Sandbox {
  readonly emulator: Emulator;
  /** The emulator's API key (random per sandbox). Never print it. */
  readonly apiKey: string;
  /** The receiver's public URL (what lemon.markets would POST to). */
  readonly receiverUrl: string;
  readonly lambda: LambdaProcess;
  readonly secretsManager: FakeSecretsManager;
  readonly dynamo: LocalDynamo;
  readonly eventBridge: FakeEventBridge;
  /** The current registration; `undefined` after {@link Sandbox.unregister}. */
  registration(): Registration | undefined;
  /** Events on the bus, in arrival order. */
  forwarded(): ForwardedEvent[];
  /** Unregisters through the provider's `delete`. No-op when not registered. */
  unregister(): Promise<void>;
  /** Unregisters (if registered) and stops every server and process. Idempotent; never throws. */
  stop(): Promise<{ readonly errors: readonly unknown[] }>;
}

/** Decodes an EventBridge entry's `Detail` (the event JSON exactly as lemon.markets sent it). */
export function decodeForwarded(entry: FakeEventBridge["entries"][number]): ForwardedEvent {
  const event = JSON.parse(entry.detail) as LemonEvent;
  return {
    id: event.id,
    type: event.type,
    createdAt: event.created_at,
    context: event.context,
    detailType: entry.detailType,
    source: entry.source,
    eventBusName: entry.eventBusName,
  };
}

/**
 * Starts everything and registers the webhook. On any failure, whatever already started is stopped before
 * the error is rethrown: nothing is left listening.
 *
 * @example
 * const sandbox = await startSandbox({ events: ["account.created"] });
 * sandbox.emulator.emit("account.created", { account: "cusa_33531f7f801d4ce997747470ab7208fd" });
 * await sandbox.emulator.waitForDeliveries();
 * sandbox.forwarded(); // [{ type: "account.created", … }]
 * await sandbox.stop();
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const progress = options.onProgress ?? (() => undefined);
  const closers: (() => Promise<void>)[] = [];
  // One after the other, newest first: unregister while the emulator listens, the Lambda before its stores.
  const closeAll = async (): Promise<unknown[]> => {
    const errors: unknown[] = [];
    for (const close of closers.splice(0).reverse()) {
      await close().catch((error: unknown) => errors.push(error));
    }
    return errors;
  };
  try {
    const apiKey = `sandbox_${randomBytes(24).toString("hex")}`;
    const emulator = await startEmulator({
      apiKeys: [apiKey],
      delivery: { ...SANDBOX_DELIVERY, ...options.delivery },
      ...(options.seed === undefined ? {} : { seed: options.seed }),
    });
    closers.push(() => emulator.close());
    progress({ step: "emulator", baseUrl: emulator.baseUrl });

    const bundlePath =
      options.bundlePath ?? ensureReceiverBundle(undefined, () => progress({ step: "building-bundle" }));
    const [secretsManager, dynamo, eventBridge] = await Promise.all([
      // No version yet: the secret exists before the webhook does, as in the component (secret, then version).
      startFakeSecretsManager({ versions: [] }),
      startLocalDynamo(),
      startFakeEventBridge(),
    ]);
    closers.push(
      () => secretsManager.close(),
      () => dynamo.close(),
      () => eventBridge.close(),
    );
    const lambda = await startLambdaProcess({
      bundlePath,
      routePath: RECEIVER_ROUTE,
      environment: localReceiverEnv({ secretsManager, dynamo, eventBridge, eventBusName: SANDBOX_EVENT_BUS }),
      ...(options.onReceiverLog === undefined ? {} : { onLog: options.onReceiverLog }),
    });
    closers.push(() => lambda.close());
    progress({
      step: "receiver",
      url: lambda.url,
      bundlePath,
      secretsManager: secretsManager.endpoint,
      dynamo: dynamo.endpoint,
      eventBridge: eventBridge.endpoint,
    });

    const provider = await configuredProvider(apiKey);
    let registration: Registration | undefined = await registerWebhook(provider, {
      apiBaseUrl: emulator.baseUrl,
      url: lambda.url,
      events: options.events ?? DEFAULT_EVENTS,
    });
    // What the component's aws.secretsmanager.SecretVersion does with the registration's output.
    secretsManager.putSecretValue(registration.outputs.signatureSecret);
    progress({
      step: "registered",
      webhookId: registration.webhookId,
      events: registration.events,
      secretArn: secretsManager.arn,
    });

    const unregister = async () => {
      const current = registration;
      if (current === undefined) return;
      registration = undefined;
      await unregisterWebhook(provider, current);
    };
    // Runs first on stop (closers run in reverse): unregister while the emulator still listens.
    closers.push(unregister);
    let stopping: Promise<{ errors: readonly unknown[] }> | undefined;
    return {
      emulator,
      apiKey,
      receiverUrl: lambda.url,
      lambda,
      secretsManager,
      dynamo,
      eventBridge,
      registration: () => registration,
      forwarded: () => eventBridge.entries.map(decodeForwarded),
      unregister,
      stop: () => {
        stopping ??= closeAll().then((errors) => ({ errors }));
        return stopping;
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
