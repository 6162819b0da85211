/**
 * A deployment on localhost as the reconciler finds it: the emulator (lemon.markets) with the local receiver
 * (./local-receiver.ts: receiver, events table, stream, forwarder, fake EventBridge) registered, and a second
 * fake Secrets Manager holding the reconciler's API key. Engine-free, localhost only.
 */
import { randomBytes } from "node:crypto";
import { registerAtEmulator } from "../../bench/scenarios/registration";
import { RECONCILER_ENV_NAMES } from "../../contract/env-names";
import { type Emulator, startEmulator } from "../../emulator";
import {
  type FakeEventBridge,
  type FakeSecretsManager,
  type HttpAdapter,
  type LocalDynamo,
  type LocalStream,
  localReceiverEnv,
  startFakeSecretsManager,
} from "../../local";
import { startLocalReceiver } from "./local-receiver";

/** The lemon.markets API key of the deployment: must never show up in logs, reports or errors. */
export const DEPLOYMENT_API_KEY = `lm-test-${randomBytes(12).toString("hex")}`;
export const SUBSCRIBED = ["order.executed", "account.created"] as const;
const API_KEY_ARN = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:lemon-reconciler-api-key-XyZ123";
const ROUTE = "/webhooks/lemon-markets";

/** A running deployment. */
export interface LocalDeployment {
  readonly emulator: Emulator;
  /** The table as every Lambda reaches it (through the stream's proxy). */
  readonly dynamo: LocalDynamo;
  /** The table's stream stand-in; `idle()` once the forwarder has handled every stored event. */
  readonly stream: LocalStream;
  readonly eventBridge: FakeEventBridge;
  readonly signatureSecrets: FakeSecretsManager;
  readonly apiKeySecrets: FakeSecretsManager;
  readonly adapter: HttpAdapter;
  /** Log and EMF lines the receiver wrote. */
  readonly receiverLines: string[];
  /** While down, the endpoint answers 503 like API Gateway whose Lambda integration is failing. */
  setReceiverDown(down: boolean): void;
  /** The environment the reconciler Lambda would get (names, ARNs, endpoints; no secret values). */
  reconcilerEnv(): Record<string, string>;
  close(): Promise<void>;
}

/** Starts everything and registers the receiver for {@link SUBSCRIBED}; deliveries give up after 2 attempts. */
export async function startLocalDeployment(): Promise<LocalDeployment> {
  const emulator = await startEmulator({
    apiKeys: [DEPLOYMENT_API_KEY],
    seed: 11,
    delivery: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 5_000 },
  });
  const [receiver, apiKeySecrets] = await Promise.all([
    startLocalReceiver({ path: ROUTE }),
    startFakeSecretsManager({
      arn: API_KEY_ARN,
      versions: [{ secret: DEPLOYMENT_API_KEY, createdAt: new Date() }],
    }),
  ]);
  const { dynamo, stream, eventBridge, adapter, lines: receiverLines } = receiver;
  const signatureSecrets = receiver.secretsManager;
  signatureSecrets.putSecretValue(
    await registerAtEmulator(emulator, DEPLOYMENT_API_KEY, { url: adapter.url, events: SUBSCRIBED }),
  );
  return {
    emulator,
    dynamo,
    stream,
    eventBridge,
    signatureSecrets,
    apiKeySecrets,
    adapter,
    receiverLines,
    setReceiverDown: (down) => receiver.setDown(down),
    reconcilerEnv: () => ({
      ...localReceiverEnv({ secretsManager: apiKeySecrets, dynamo }),
      [RECONCILER_ENV_NAMES.apiKeySecretArn]: apiKeySecrets.arn,
      [RECONCILER_ENV_NAMES.eventTypes]: SUBSCRIBED.join(","),
      [RECONCILER_ENV_NAMES.apiBaseUrl]: emulator.baseUrl,
    }),
    close: async () => {
      await emulator.close();
      await Promise.all([receiver.close(), apiKeySecrets.close()]);
    },
  };
}
