/**
 * `startSandbox`: the whole delivery path of a deployment, on localhost. The lemon.markets emulator; the
 * built receiver Lambda bundle in its own process behind the local API Gateway, storing each verified event;
 * the table's stream (a local stand-in: dynalite has no Streams API) invoking the built forwarder bundle in a
 * process of its own, which puts the stored events on the EventBridge stand-in; Secrets Manager, DynamoDB
 * (dynalite) and EventBridge stand-ins chosen by the Lambdas' environment (endpoint overrides), not by code;
 * and the webhook registered through the WebhookRegistration provider, its secret put into the local
 * Secrets Manager as the component does on AWS. Reusable by tests and load tests: every handle is returned.
 */
import { randomBytes } from "node:crypto";
import { type DeliveryOptions, type Emulator, type LemonEvent, startEmulator } from "../emulator";
import { ENV_NAMES } from "../contract/env-names";
import type { StreamBatchResponse } from "../lambda/forwarder/stream";
import {
  type FakeEventBridge,
  type FakeSecretsManager,
  type LocalDynamo,
  type LocalStream,
  localForwarderEnv,
  localReceiverEnv,
  startFakeEventBridge,
  startFakeSecretsManager,
  startLocalDynamo,
  startLocalStream,
} from "../local";
import {
  formatSignatureScheme,
  parseSignatureScheme,
  type SignatureSchemeInput,
} from "../contract/signature-presets";
import { DEFAULT_EVENTS } from "./args";
import { ensureForwarderBundle, ensureReceiverBundle } from "./bundle";
import { type LambdaProcess, type ReceiverLogRecord, startLambdaProcess } from "./lambda-process";
import { configuredProvider, type Registration, registerWebhook, unregisterWebhook } from "./registration";

/**
 * How the sandbox's emulator delivers: every event twice (`duplicateRate: 1`, lemon.markets' at-least-once
 * made visible) and one attempt at a time (`concurrency: 1`), so the copy deterministically arrives after
 * the original was stored and is answered as a duplicate. Retries are quick so a failure shows fast.
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

/** EventBridge bus the local forwarder puts events on. */
export const SANDBOX_EVENT_BUS = "lemon-webhooks-sandbox";

/** Progress of {@link startSandbox}, one notification per finished step. */
export type SandboxProgress =
  | { readonly step: "emulator"; readonly baseUrl: string }
  | { readonly step: "building-bundle" }
  | {
      readonly step: "receiver";
      readonly url: string;
      readonly bundlePath: string;
      readonly forwarderBundlePath: string;
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
  /** Forwarder bundle the stream invokes. Default: the repository's build, built first if missing. */
  readonly forwarderBundlePath?: string;
  readonly onProgress?: (progress: SandboxProgress) => void;
  /** Every request log line of the receiver Lambda, as it arrives. */
  readonly onReceiverLog?: (record: ReceiverLogRecord) => void;
  /**
   * The signature scheme the emulator signs with and the receiver verifies with (a preset name, JSON or an
   * object); default lemon-default.
   */
  readonly signatureScheme?: SignatureSchemeInput;
  /** What the emulator signs with when it differs from the receiver's scheme (rehearsing a mismatch). */
  readonly emulatorSignatureScheme?: SignatureSchemeInput;
}

/** An event that reached the EventBridge bus, decoded from the entry's `Detail`. */
export interface ForwardedEvent {
  readonly id: string;
  readonly type: string;
  readonly createdAt: string;
  readonly context: Readonly<Record<string, string>>;
  /** EventBridge `DetailType` (the event type) and `Source` (`lemon.markets`) as the forwarder set them. */
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
  /** The forwarder Lambda process the stream invokes (its `lines` are its log stream). */
  readonly forwarder: LambdaProcess;
  /** The table's stream stand-in (records, on-failure records, `idle()`). */
  readonly stream: LocalStream;
  readonly secretsManager: FakeSecretsManager;
  /** The table, as the Lambdas reach it (through the stream's proxy). */
  readonly dynamo: LocalDynamo;
  readonly eventBridge: FakeEventBridge;
  /** The current registration; `undefined` after {@link Sandbox.unregister}. */
  registration(): Registration | undefined;
  /** Events on the bus, in arrival order. */
  forwarded(): ForwardedEvent[];
  /** Resolves once the stream has handed every stored event to the forwarder (or given it up). */
  streamIdle(): Promise<void>;
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
 * await sandbox.streamIdle();
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
    const receiverScheme = parseSignatureScheme(options.signatureScheme);
    const emulator = await startEmulator({
      apiKeys: [apiKey],
      signatureScheme: options.emulatorSignatureScheme ?? receiverScheme,
      delivery: { ...SANDBOX_DELIVERY, ...options.delivery },
      ...(options.seed === undefined ? {} : { seed: options.seed }),
    });
    closers.push(() => emulator.close());
    progress({ step: "emulator", baseUrl: emulator.baseUrl });

    const bundlePath =
      options.bundlePath ?? ensureReceiverBundle(undefined, () => progress({ step: "building-bundle" }));
    const forwarderBundlePath =
      options.forwarderBundlePath ??
      ensureForwarderBundle(undefined, () => progress({ step: "building-bundle" }));
    const [secretsManager, table, eventBridge] = await Promise.all([
      // No version yet: the secret exists before the webhook does, as in the component (secret, then version).
      startFakeSecretsManager({ versions: [] }),
      startLocalDynamo(),
      startFakeEventBridge(),
    ]);
    closers.push(
      () => secretsManager.close(),
      () => table.close(),
      () => eventBridge.close(),
    );
    // Every writer reaches the table through the stream's proxy, so each stored event becomes a record.
    const stream = await startLocalStream({ dynamo: table });
    const dynamo = stream.dynamo;
    // Closes the proxy and then dynalite (the earlier closer of the table is then a no-op).
    closers.push(() => stream.close());
    const forwarder = await startLambdaProcess({
      bundlePath: forwarderBundlePath,
      environment: localForwarderEnv({ eventBridge, dynamo, eventBusName: SANDBOX_EVENT_BUS }),
    });
    closers.push(() => forwarder.close());
    stream.attach((event) => forwarder.invoke(event) as Promise<StreamBatchResponse>);
    const lambda = await startLambdaProcess({
      bundlePath,
      routePath: RECEIVER_ROUTE,
      environment: {
        ...localReceiverEnv({ secretsManager, dynamo }),
        // Only when chosen: by default the receiver's own default applies, as with an unset component argument.
        ...(options.signatureScheme === undefined
          ? {}
          : { [ENV_NAMES.signatureScheme]: formatSignatureScheme(receiverScheme) }),
      },
      ...(options.onReceiverLog === undefined ? {} : { onLog: options.onReceiverLog }),
    });
    closers.push(() => lambda.close());
    progress({
      step: "receiver",
      url: lambda.url,
      bundlePath,
      forwarderBundlePath,
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
      forwarder,
      stream,
      secretsManager,
      dynamo,
      eventBridge,
      registration: () => registration,
      forwarded: () => eventBridge.entries.map(decodeForwarded),
      streamIdle: () => stream.idle(),
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
