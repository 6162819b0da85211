/**
 * Local stand-ins for everything the receiver talks to, for end-to-end tests, `npm start` and the
 * reliability suite. They speak the real protocols, so the production handler (or the built bundle) runs
 * against them unchanged, chosen by environment variables (see {@link localReceiverEnv}).
 * Never imported by the Lambda bundle. Wired together once in ./local-receiver.ts (the sandbox and the tests
 * use it); ./provider-host.ts and ./provider-mocks.ts stand in for the Pulumi engine around the registration
 * provider (tests and `npm run stress`).
 *
 * @example
 * const sm = await startFakeSecretsManager({ versions: [{ secret, createdAt: new Date() }] });
 * const eb = await startFakeEventBridge();
 * const stream = await startLocalStream({ dynamo: await startLocalDynamo() });
 * const env = localReceiverEnv({ secretsManager: sm, dynamo: stream.dynamo });
 * stream.attach(createForwarderHandler(() => buildAwsForwarder({
 *   env: localForwarderEnv({ eventBridge: eb, dynamo: stream.dynamo }), write, clock })));
 * const adapter = await startHttpAdapter({ handler, path: "/webhooks/lemon-markets" });
 */
import { ENV_NAMES, FORWARDER_ENV_NAMES } from "../contract/env-names";
import type { FakeEventBridge } from "./fake-event-bridge";
import type { FakeSecretsManager } from "./fake-secrets-manager";
import { LOCAL_CREDENTIALS, type LocalDynamo } from "./local-dynamo";

export { FaultPlan, type RandomFaults } from "./aws-json-server";
export { type DelayPhase, type DelayProxy, type DelayProxyOptions, startDelayProxy } from "./delay-proxy";
export {
  type CloudWatchFault,
  type CloudWatchOperation,
  type FakeAlarm,
  type FakeCloudWatch,
  type FakeMetric,
  startFakeCloudWatch,
} from "./fake-cloudwatch";
export {
  type EventBridgeFault,
  type FakeEventBridge,
  type RecordedEntry,
  startFakeEventBridge,
} from "./fake-event-bridge";
export type {
  FakeArchiveSpec,
  FakeRuleSpec,
  ReplayControls,
  ReplayState,
  RuleDelivery,
} from "./fake-event-bridge-replay";
export {
  type FakeSecretsManager,
  type FakeSecretsManagerOptions,
  type FakeSecretVersion,
  type SecretRequestRecord,
  type SecretsManagerFault,
  startFakeSecretsManager,
} from "./fake-secrets-manager";
export { type FakeQueueDepth, type FakeSqs, type SqsFault, startFakeSqs } from "./fake-sqs";
export {
  type ApiGatewayV2Handler,
  apiGatewayEvent,
  type HttpAdapter,
  type HttpAdapterOptions,
  type LocalApiRequest,
  startHttpAdapter,
  toApiGatewayEvent,
} from "./http-adapter";
export { LOCAL_CREDENTIALS, type LocalDynamo, startLocalDynamo } from "./local-dynamo";
export {
  type LocalStream,
  type LocalStreamOptions,
  type LocalStreamRecord,
  type OnFailureRecord,
  passesForwarderFilter,
  type StreamHandler,
  startLocalStream,
} from "./local-stream";

/** The running stand-ins a receiver should use. */
export interface LocalServices {
  readonly secretsManager: Pick<FakeSecretsManager, "endpoint" | "arn">;
  /** The table (give the stream's `dynamo`, see `startLocalStream`, so stored events reach the forwarder). */
  readonly dynamo: Pick<LocalDynamo, "endpoint" | "tableName">;
}

/** The running stand-ins the forwarder should use. */
export interface LocalForwarderServices {
  readonly eventBridge: FakeEventBridge;
  readonly dynamo: LocalDynamo;
  /** Bus name to forward to; default `lemon-webhooks-local`. */
  readonly eventBusName?: string;
}

/** Region and dummy credentials every local Lambda gets. */
const LOCAL_AWS = {
  AWS_REGION: "eu-central-1",
  AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
} as const;

/**
 * The environment that makes the production handler (or bundle) use the local stand-ins: endpoint
 * overrides, the fake secret's ARN, the local table, dummy credentials. Merge it into `process.env` (or the
 * env of a child process) before the handler's first invocation.
 */
export function localReceiverEnv(services: LocalServices): Record<string, string> {
  return {
    ...LOCAL_AWS,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: services.secretsManager.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: services.dynamo.endpoint,
    [ENV_NAMES.secretArn]: services.secretsManager.arn,
    [ENV_NAMES.dedupeTable]: services.dynamo.tableName,
  };
}

/** The environment of the forwarder Lambda (bundle or `buildAwsForwarder`) on the local stand-ins. */
export function localForwarderEnv(services: LocalForwarderServices): Record<string, string> {
  return {
    ...LOCAL_AWS,
    AWS_ENDPOINT_URL_DYNAMODB: services.dynamo.endpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: services.eventBridge.endpoint,
    [FORWARDER_ENV_NAMES.table]: services.dynamo.tableName,
    [FORWARDER_ENV_NAMES.eventBusName]: services.eventBusName ?? "lemon-webhooks-local",
  };
}
