/**
 * The forwarding half of the store-first design inside the stand-in host: the local stream stand-in
 * (local/local-stream.ts: INSERTs handed over in order, in batches, partial batch responses, bisect,
 * retries) with the production forwarder handler (`createForwarderHandler(buildAwsForwarder)`) attached. The
 * forwarder reaches DynamoDB and EventBridge through the fault proxies, as the receiver does.
 */
import { buildAwsForwarder, createForwarderHandler } from "../../../lambda/forwarder";
import type { LocalDynamo } from "../../../local/local-dynamo";
import { LOCAL_CREDENTIALS } from "../../../local/local-dynamo";
import { type LocalStream, startLocalStream } from "../../../local/local-stream";
import { FORWARDER_ENV_NAMES } from "../../../contract/events-table";

/**
 * The mapping's retry bound as the component sets it (components/receiver/forwarder.ts: 10,000 attempts,
 * time being what ends retries): an EventBridge outage of seconds must not send records to the failure queue.
 */
const MAX_ATTEMPTS = 10_000;

/** The stream and its forwarder. */
export interface Forwarding {
  /** Where writers (through the fault proxy) reach DynamoDB so the stream sees their writes. */
  readonly endpoint: string;
  /** Starts handing records to the forwarder, which reaches AWS at these endpoints. */
  attach(endpoints: { readonly dynamodb: string; readonly eventbridge: string }): void;
  /** True when every record was handled or given up and no invocation runs. */
  idle(): Promise<boolean>;
  /** Event ids the stream gave up on (sent to the on-failure destination). */
  givenUp(): readonly string[];
  /** Invocations, records, and the forwarder's log lines tallied by `msg`. */
  counters(): Readonly<Record<string, number>>;
  /** Stops the stream and the local DynamoDB behind it. */
  close(): Promise<void>;
}

/**
 * Starts the stream in front of `dynamo`.
 *
 * @example
 * const forwarding = await startForwarding({ dynamo, eventBusName });
 * forwarding.attach({ dynamodb: dynamoProxy.endpoint, eventbridge: ebProxy.endpoint });
 */
export async function startForwarding(options: {
  readonly dynamo: LocalDynamo;
  readonly eventBusName: string;
}): Promise<Forwarding> {
  const stream: LocalStream = await startLocalStream({ dynamo: options.dynamo, maxAttempts: MAX_ATTEMPTS });
  const logged: Record<string, number> = {};
  let watching: Promise<void> | undefined;
  // The forwarder's log lines, tallied by `msg` (forwarded, forward_failed, forward_mark_failed, …).
  const write = (line: string) => {
    const msg = (JSON.parse(line) as { msg?: unknown }).msg;
    if (typeof msg === "string") logged[msg] = (logged[msg] ?? 0) + 1;
  };
  return {
    endpoint: stream.dynamo.endpoint,
    attach: (endpoints) => {
      const env = {
        AWS_REGION: "eu-central-1",
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
        AWS_ENDPOINT_URL_EVENTBRIDGE: endpoints.eventbridge,
        [FORWARDER_ENV_NAMES.eventBusName]: options.eventBusName,
        [FORWARDER_ENV_NAMES.table]: options.dynamo.tableName,
      };
      stream.attach(
        createForwarderHandler(
          () => buildAwsForwarder({ env, write, clock: { now: () => Date.now() } }),
          write,
        ),
      );
    },
    idle: () => {
      // One poller of the stream's idle() at a time, however often the host is asked.
      watching ??= stream.idle().then(() => {
        watching = undefined;
      });
      const running = watching;
      return Promise.race([
        running.then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 30)),
      ]);
    },
    givenUp: () => stream.failures.flatMap((failure) => failure.eventIds),
    counters: () => ({
      invocations: stream.invocations(),
      records: stream.records.length,
      ...logged,
    }),
    close: () => stream.close(),
  };
}
