/**
 * The receiver's delivery path on localhost, in this process: the production receiver handler behind the
 * local API Gateway adapter, a fake Secrets Manager holding the signature secret, dynalite (the events table)
 * and, unless `forward: false`, the table's stream stand-in handing every stored event to the production
 * forwarder, which puts it on a fake EventBridge. The one wiring every suite that needs a running receiver
 * uses (the sandbox runs the built bundles in processes of their own instead: sandbox/start.ts).
 *
 * @example
 * const receiver = await startLocalReceiver({ secret: "whsec-…" });
 * await fetch(receiver.url, { method: "POST", headers, body });
 * await receiver.stream.idle();
 * receiver.eventBridge.entries; // what was forwarded
 * await receiver.close();
 */
import { buildAwsForwarder, createForwarderHandler } from "../../lambda/forwarder";
import { buildAwsReceiver, createHandler, type Handler } from "../../lambda/receiver/handler";
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

/** Options of {@link startLocalReceiver}; all optional. */
export interface LocalReceiverOptions {
  /** The signature secret's first version. Absent: none yet (put one with `secretsManager.putSecretValue`). */
  readonly secret?: string;
  /** The route served. Default `/webhooks/lemon-markets`, as the component creates it. */
  readonly path?: string;
  /** Run the stream and the forwarder (default `true`); `false`: the receiver and its table only. */
  readonly forward?: boolean;
  /** Attempts of the stream per batch before it gives the batch up (the stream's own default if absent). */
  readonly streamMaxAttempts?: number;
  /** Receiver environment over {@link localReceiverEnv} (e.g. `LEMON_SIGNATURE_SCHEME`). */
  readonly env?: Readonly<Record<string, string>>;
}

/** A running local receiver. */
export interface LocalReceiver {
  /** The route's URL (what lemon.markets, the emulator or the CLI POSTs to). */
  readonly url: string;
  readonly adapter: HttpAdapter;
  readonly secretsManager: FakeSecretsManager;
  /** The table as the Lambdas reach it (through the stream's proxy when forwarding). */
  readonly dynamo: LocalDynamo;
  /** The table's stream stand-in (`idle()` once the forwarder has handled every stored event). */
  readonly stream: LocalStream;
  readonly eventBridge: FakeEventBridge;
  /** The receiver's environment as the handler got it (names, ARN, endpoints; no secret value). */
  readonly env: Readonly<Record<string, string>>;
  /** Log and EMF lines the receiver wrote. */
  readonly lines: string[];
  /** Log and EMF lines the forwarder wrote. */
  readonly forwarderLines: string[];
  /** A new receiver with `env` over the local environment, like a `pulumi up` that changes its settings. */
  redeploy(env: Readonly<Record<string, string>>): void;
  /** While down, the route answers 503 like API Gateway whose Lambda integration is failing. */
  setDown(down: boolean): void;
  close(): Promise<void>;
}

const clock = { now: () => Date.now() };

/** Starts the stand-ins, the forwarder (unless `forward: false`) and the receiver behind the adapter. */
export async function startLocalReceiver(options: LocalReceiverOptions = {}): Promise<LocalReceiver> {
  const forward = options.forward ?? true;
  const [secretsManager, eventBridge, table] = await Promise.all([
    startFakeSecretsManager({
      versions: options.secret === undefined ? [] : [{ secret: options.secret, createdAt: new Date() }],
    }),
    startFakeEventBridge(),
    startLocalDynamo(),
  ]);
  const stream = await startLocalStream({
    dynamo: table,
    ...(options.streamMaxAttempts === undefined ? {} : { maxAttempts: options.streamMaxAttempts }),
  });
  // Forwarding: every writer reaches the table through the stream's proxy, so each stored event is a record.
  const dynamo = forward ? stream.dynamo : table;
  const forwarderLines: string[] = [];
  if (forward) {
    const write = (line: string) => forwarderLines.push(line);
    const env = localForwarderEnv({ eventBridge, dynamo });
    stream.attach(createForwarderHandler(() => buildAwsForwarder({ env, write, clock })));
  }
  const lines: string[] = [];
  const write = (line: string) => lines.push(line);
  let env: Readonly<Record<string, string>> = {};
  let handler: Handler = () => Promise.reject(new Error("not deployed"));
  const redeploy = (extra: Readonly<Record<string, string>>) => {
    const deployed = { ...localReceiverEnv({ secretsManager, dynamo }), ...extra };
    env = deployed;
    handler = createHandler(() => buildAwsReceiver({ env: deployed, write, clock }), write);
  };
  redeploy(options.env ?? {});
  let down = false;
  const adapter = await startHttpAdapter({
    path: options.path ?? "/webhooks/lemon-markets",
    handler: (event) =>
      down ? Promise.resolve({ statusCode: 503, body: '{"message":"Service Unavailable"}' }) : handler(event),
  });
  return {
    url: adapter.url,
    adapter,
    secretsManager,
    dynamo,
    stream,
    eventBridge,
    get env() {
      return env;
    },
    lines,
    forwarderLines,
    redeploy,
    setDown: (value) => {
      down = value;
    },
    close: async () => {
      // The stream closes its proxy and then dynalite.
      await Promise.all([adapter.close(), secretsManager.close(), eventBridge.close(), stream.close()]);
    },
  };
}
