/**
 * The local receiver (local/local-receiver.ts: fake Secrets Manager, dynalite, the table's stream, fake
 * EventBridge) with the production handlers in this process: the receiver behind the local API Gateway
 * adapter and, unless `forward: false`, the forwarder the stream invokes. The one wiring every suite that
 * needs a running receiver uses; the sandbox runs the same wiring with the built bundles (sandbox/start.ts).
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
  startHttpAdapter,
} from "../../local";
import { startLocalReceiver as startLocal } from "../../local/local-receiver";

/** Options of {@link startLocalReceiver}; all optional. */
export interface LocalReceiverOptions {
  /** The signature secret's first version. Absent: none yet (put one with `secretsManager.putSecretValue`). */
  readonly secret?: string;
  /** The route served. Default `/webhooks/lemon-markets`, as the component creates it. */
  readonly path?: string;
  /** Run the stream and the forwarder (default `true`); `false`: the receiver and its table only. */
  readonly forward?: boolean;
  /** Attempts of the stream per record before it gives the record up (the stream's own default if absent). */
  readonly streamMaxAttempts?: number;
  /** Receiver environment over the local one (e.g. `LEMON_SIGNATURE_SCHEME`). */
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
  /** A new receiver with `env` over its first environment, like a `pulumi up` that changes its settings. */
  redeploy(env: Readonly<Record<string, string>>): void;
  /** While down, the route answers 503 like API Gateway whose Lambda integration is failing. */
  setDown(down: boolean): void;
  close(): Promise<void>;
}

const clock = { now: () => Date.now() };

/** Starts the stand-ins, the forwarder (unless `forward: false`) and the receiver behind the adapter. */
export async function startLocalReceiver(options: LocalReceiverOptions = {}): Promise<LocalReceiver> {
  const lines: string[] = [];
  const forwarderLines: string[] = [];
  const write = (line: string) => lines.push(line);
  let localEnv: Readonly<Record<string, string>> = {};
  let env: Readonly<Record<string, string>> = {};
  let handler: Handler = () => Promise.reject(new Error("not deployed"));
  const redeploy = (extra: Readonly<Record<string, string>>) => {
    const deployed = { ...localEnv, ...extra };
    env = deployed;
    handler = createHandler(() => buildAwsReceiver({ env: deployed, write, clock }), write);
  };
  let down = false;
  const local = await startLocal({
    ...(options.secret === undefined ? {} : { secret: options.secret }),
    ...(options.path === undefined ? {} : { path: options.path }),
    ...(options.streamMaxAttempts === undefined ? {} : { streamMaxAttempts: options.streamMaxAttempts }),
    ...(options.env === undefined ? {} : { env: options.env }),
    receiver: (environment, path) => {
      localEnv = environment;
      redeploy({});
      return startHttpAdapter({
        path,
        handler: (event) =>
          down
            ? Promise.resolve({ statusCode: 503, body: '{"message":"Service Unavailable"}' })
            : handler(event),
      });
    },
    ...(options.forward === false
      ? {}
      : {
          forwarder: async (environment: Record<string, string>) => {
            const forwarderWrite = (line: string) => forwarderLines.push(line);
            const invoke = createForwarderHandler(() =>
              buildAwsForwarder({ env: environment, write: forwarderWrite, clock }),
            );
            return { invoke, close: async () => undefined };
          },
        }),
  });
  return {
    url: local.url,
    adapter: local.receiver,
    secretsManager: local.secretsManager,
    dynamo: local.dynamo,
    stream: local.stream,
    eventBridge: local.eventBridge,
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
      const errors = await local.close();
      if (errors.length > 0) throw errors[0];
    },
  };
}
