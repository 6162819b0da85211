/**
 * A local SQS for `GetQueueAttributes` (what `lemon-webhooks status` reads to tell a dead-letter queue's
 * depth), AWS JSON 1.0 as the SDK v3 speaks it: attribute values are strings. Queues are known by URL; an
 * unknown one answers 400 `QueueDoesNotExist`. Faults: access denied (400 AccessDeniedException) and
 * throttling (400 ThrottlingException). Point a client at it with `AWS_ENDPOINT_URL_SQS=<endpoint>`.
 */
import { AWS_JSON_PROTOCOLS } from "../lambda/aws/json-client";
import { awsError, FaultPlan, type JsonReply, startJsonServer } from "./aws-json-server";

/** How a faulty call fails. */
export type SqsFault = "denied" | "throttle";

/** The depth of one queue. */
export interface FakeQueueDepth {
  /** `ApproximateNumberOfMessages`: visible messages. */
  readonly visible: number;
  /** `ApproximateNumberOfMessagesNotVisible`: received, not yet deleted. */
  readonly inFlight?: number;
}

/** A running fake SQS. */
export interface FakeSqs {
  readonly endpoint: string;
  /** The URL of a queue named `name` on this fake (use it as the stack's queue URL output). */
  queueUrl(name: string): string;
  /** Creates or updates the queue at `url` with `depth`. */
  setQueue(url: string, depth: FakeQueueDepth): void;
  /** Number of `GetQueueAttributes` calls, faulted ones included. */
  readonly calls: number;
  failNext(count: number, fault?: SqsFault): void;
  clearFaults(): void;
  close(): Promise<void>;
}

/**
 * Starts the fake on 127.0.0.1.
 *
 * @example
 * const sqs = await startFakeSqs();
 * sqs.setQueue(sqs.queueUrl("lemon-forward-failures"), { visible: 2 });
 */
export async function startFakeSqs(options: { readonly port?: number } = {}): Promise<FakeSqs> {
  const queues = new Map<string, FakeQueueDepth>();
  const faults = new FaultPlan<SqsFault>();
  let calls = 0;

  const getQueueAttributes = (input: Record<string, unknown>): JsonReply => {
    calls += 1;
    const kind = faults.take();
    if (kind === "denied") {
      return awsError(
        400,
        "AccessDeniedException",
        "User is not authorized to perform sqs:getqueueattributes",
      );
    }
    if (kind === "throttle") return awsError(400, "ThrottlingException", "Rate exceeded");
    const url = input.QueueUrl;
    const depth = typeof url === "string" ? queues.get(url) : undefined;
    if (depth === undefined) {
      return awsError(400, "com.amazonaws.sqs#QueueDoesNotExist", "The specified queue does not exist.");
    }
    const names = Array.isArray(input.AttributeNames) ? input.AttributeNames.map(String) : [];
    const all: Record<string, string> = {
      ApproximateNumberOfMessages: String(depth.visible),
      ApproximateNumberOfMessagesNotVisible: String(depth.inFlight ?? 0),
      ApproximateNumberOfMessagesDelayed: "0",
    };
    const attributes = names.includes("All")
      ? all
      : Object.fromEntries(Object.entries(all).filter(([name]) => names.includes(name)));
    return { status: 200, body: { Attributes: attributes } };
  };

  const running = await startJsonServer({
    ...AWS_JSON_PROTOCOLS.sqs,
    operations: { GetQueueAttributes: getQueueAttributes },
    ...(options.port === undefined ? {} : { port: options.port }),
  });

  return {
    endpoint: running.endpoint,
    queueUrl: (name) => `${running.endpoint}/123456789012/${name}`,
    setQueue: (url, depth) => queues.set(url, depth),
    get calls() {
      return calls;
    },
    failNext: (count, kind = "throttle") => faults.failNext(count, kind),
    clearFaults: () => faults.clear(),
    close: running.close,
  };
}
