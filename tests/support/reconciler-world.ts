/**
 * A complete local world for the reconciler: the emulator (lemon.markets), the production receiver handler
 * behind the local API Gateway adapter, dynalite (the events table) behind the local stream stand-in, which
 * hands every stored event to the production forwarder, a fake EventBridge, and two fake Secrets
 * Managers (the signature secret for the receiver, the API key for the reconciler). Engine-free, localhost only.
 */
import { randomBytes } from "node:crypto";
import { type Emulator, startEmulator } from "../../emulator";
import type { ApiGatewayV2Event, ApiGatewayV2Result } from "../../lambda/receiver/apigw";
import { buildAwsForwarder, createForwarderHandler } from "../../lambda/forwarder";
import { buildAwsReceiver, createHandler } from "../../lambda/receiver/handler";
import {
  type FakeEventBridge,
  type FakeSecretsManager,
  type HttpAdapter,
  type LocalDynamo,
  type LocalStream,
  localForwarderEnv,
  localReceiverEnv,
  startFakeEventBridge,
  startFakeSecretsManager,
  startHttpAdapter,
  startLocalDynamo,
  startLocalStream,
} from "../../local";
import { RECONCILER_ENV_NAMES } from "../../contract/reconciler-env-names";

/** The lemon.markets API key of the world: must never show up in logs, reports or errors. */
export const WORLD_API_KEY = `lm-test-${randomBytes(12).toString("hex")}`;
export const SUBSCRIBED = ["order.executed", "account.created"] as const;
const API_KEY_ARN = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:lemon-reconciler-api-key-XyZ123";
const ROUTE = "/webhooks/lemon-markets";

/** A running world. */
export interface World {
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

async function register(emulator: Emulator, url: string): Promise<string> {
  const response = await fetch(`${emulator.baseUrl}/webhooks`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${WORLD_API_KEY}`,
      "content-type": "application/json",
      "LMG-Data-Privacy-Access-Principal": "reconciler-test",
      "LMG-Data-Privacy-Access-Justification": "webhook-setup",
    },
    body: JSON.stringify({ url, events: SUBSCRIBED }),
  });
  if (response.status !== 201) throw new Error(`registration failed: ${response.status}`);
  const body = (await response.json()) as { signature_secret: string };
  return body.signature_secret;
}

/** Starts everything and registers the receiver for {@link SUBSCRIBED}; deliveries give up after 2 attempts. */
export async function startWorld(): Promise<World> {
  const emulator = await startEmulator({
    apiKeys: [WORLD_API_KEY],
    seed: 11,
    delivery: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 5_000 },
  });
  const [stream, eventBridge, apiKeySecrets] = await Promise.all([
    startLocalDynamo().then((table) => startLocalStream({ dynamo: table })),
    startFakeEventBridge(),
    startFakeSecretsManager({
      arn: API_KEY_ARN,
      versions: [{ secret: WORLD_API_KEY, createdAt: new Date() }],
    }),
  ]);
  const dynamo = stream.dynamo;
  stream.attach(
    createForwarderHandler(() =>
      buildAwsForwarder({
        env: localForwarderEnv({ eventBridge, dynamo }),
        write: () => undefined,
        clock: { now: () => Date.now() },
      }),
    ),
  );
  let handler: ((event: ApiGatewayV2Event) => Promise<ApiGatewayV2Result>) | undefined;
  let down = false;
  const adapter = await startHttpAdapter({
    path: ROUTE,
    handler: (event) =>
      handler === undefined || down
        ? Promise.resolve({ statusCode: 503, body: '{"message":"Service Unavailable"}' })
        : handler(event),
  });
  const signatureSecret = await register(emulator, adapter.url);
  const signatureSecrets = await startFakeSecretsManager({
    versions: [{ secret: signatureSecret, createdAt: new Date() }],
  });
  const receiverLines: string[] = [];
  const write = (line: string) => receiverLines.push(line);
  const env = localReceiverEnv({ secretsManager: signatureSecrets, dynamo });
  handler = createHandler(() => buildAwsReceiver({ env, write, clock: { now: () => Date.now() } }), write);
  return {
    emulator,
    dynamo,
    stream,
    eventBridge,
    signatureSecrets,
    apiKeySecrets,
    adapter,
    receiverLines,
    setReceiverDown: (value) => {
      down = value;
    },
    reconcilerEnv: () => ({
      ...localReceiverEnv({ secretsManager: apiKeySecrets, dynamo }),
      [RECONCILER_ENV_NAMES.apiKeySecretArn]: apiKeySecrets.arn,
      [RECONCILER_ENV_NAMES.eventTypes]: SUBSCRIBED.join(","),
      [RECONCILER_ENV_NAMES.apiBaseUrl]: emulator.baseUrl,
    }),
    close: async () => {
      await emulator.close();
      await Promise.all([
        adapter.close(),
        stream.close(),
        eventBridge.close(),
        signatureSecrets.close(),
        apiKeySecrets.close(),
      ]);
    },
  };
}
