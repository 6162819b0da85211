/**
 * The receiver's delivery path on localhost, wired once for the sandbox (`npm start`) and the tests: a fake
 * Secrets Manager holding the signature secret, dynalite (the events table), the table's stream stand-in
 * invoking the forwarder, a fake EventBridge, and the receiver served on its route. How the two functions run
 * is the caller's: the sandbox runs the built bundles in Lambda processes of their own, the tests run the
 * production handlers in process (tests/support/local-receiver.ts). Either gets exactly the environment a
 * deployed function gets ({@link localReceiverEnv}, {@link localForwarderEnv}).
 */
import type { DynamoDbStreamEvent, StreamBatchResponse } from "../lambda/forwarder/stream";
import { type FakeEventBridge, startFakeEventBridge } from "./fake-event-bridge";
import { type FakeSecretsManager, startFakeSecretsManager } from "./fake-secrets-manager";
import { localForwarderEnv, localReceiverEnv } from "./index";
import { type LocalDynamo, startLocalDynamo } from "./local-dynamo";
import { type LocalStream, startLocalStream } from "./local-stream";

/** A running receiver: served over HTTP at `url`. */
export interface ServedReceiver {
  readonly url: string;
  close(): Promise<void>;
}

/** A running forwarder: what the stream invokes with each batch. */
export interface InvokedForwarder {
  invoke(event: DynamoDbStreamEvent): Promise<unknown>;
  close(): Promise<void>;
}

/** Options of {@link startLocalReceiver}. */
export interface LocalReceiverOptions<R extends ServedReceiver, F extends InvokedForwarder> {
  /** Serves the receiver with `environment` on `path`. */
  readonly receiver: (environment: Record<string, string>, path: string) => Promise<R>;
  /** Runs the forwarder with `environment`. Absent: no forwarding (the receiver and its table only). */
  readonly forwarder?: (environment: Record<string, string>) => Promise<F>;
  /** The signature secret's first version. Absent: none yet (put one with `secretsManager.putSecretValue`). */
  readonly secret?: string;
  /** The route served. Default `/webhooks/lemon-markets`, as the component creates it. */
  readonly path?: string;
  /** Receiver environment over {@link localReceiverEnv} (e.g. `LEMON_SIGNATURE_SCHEME`). */
  readonly env?: Readonly<Record<string, string>>;
  /** Bus the forwarder puts events on; default that of {@link localForwarderEnv}. */
  readonly eventBusName?: string;
  /** Attempts of the stream per record before it gives the record up (the stream's own default if absent). */
  readonly streamMaxAttempts?: number;
}

/** A running local receiver. */
export interface LocalReceiver<R extends ServedReceiver, F extends InvokedForwarder> {
  /** The route's URL (what lemon.markets, the emulator or the CLI POSTs to). */
  readonly url: string;
  readonly receiver: R;
  /** `undefined` without forwarding. */
  readonly forwarder: F | undefined;
  readonly secretsManager: FakeSecretsManager;
  /** The table as the functions reach it (through the stream's proxy when forwarding). */
  readonly dynamo: LocalDynamo;
  /** The table's stream stand-in (`idle()` once the forwarder has handled every stored event). */
  readonly stream: LocalStream;
  readonly eventBridge: FakeEventBridge;
  /** The receiver's environment (names, ARN, endpoints; no secret value). */
  readonly receiverEnv: Readonly<Record<string, string>>;
  /**
   * Stops everything, newest first, one after the other (the receiver before the forwarder before the
   * stores). Idempotent; never throws: resolves with the errors met.
   */
  close(): Promise<readonly unknown[]>;
}

/**
 * Starts the stand-ins, the forwarder (if given) and the receiver. On any failure, whatever already started
 * is stopped before the error is rethrown: nothing is left listening.
 *
 * @example
 * const local = await startLocalReceiver({ receiver: (env, path) => serve(env, path), forwarder: run });
 * await fetch(local.url, { method: "POST", headers, body });
 * await local.stream.idle();
 * local.eventBridge.entries; // what was forwarded
 * await local.close();
 */
export async function startLocalReceiver<R extends ServedReceiver, F extends InvokedForwarder>(
  options: LocalReceiverOptions<R, F>,
): Promise<LocalReceiver<R, F>> {
  const closers: (() => Promise<void>)[] = [];
  let closing: Promise<readonly unknown[]> | undefined;
  const close = () => {
    closing ??= (async () => {
      const errors: unknown[] = [];
      for (const closer of closers.splice(0).reverse()) {
        await closer().catch((error: unknown) => errors.push(error));
      }
      return errors;
    })();
    return closing;
  };
  try {
    const [secretsManager, table, eventBridge] = await Promise.all([
      // No version unless given: the secret exists before the webhook does, as in the component.
      startFakeSecretsManager({
        versions: options.secret === undefined ? [] : [{ secret: options.secret, createdAt: new Date() }],
      }),
      startLocalDynamo(),
      startFakeEventBridge(),
    ]);
    closers.push(
      () => secretsManager.close(),
      () => table.close(),
      () => eventBridge.close(),
    );
    const stream = await startLocalStream({
      dynamo: table,
      ...(options.streamMaxAttempts === undefined ? {} : { maxAttempts: options.streamMaxAttempts }),
    });
    // Closes the proxy and then dynalite (the earlier closer of the table is then a no-op).
    closers.push(() => stream.close());
    let forwarder: F | undefined;
    if (options.forwarder !== undefined) {
      forwarder = await options.forwarder(
        localForwarderEnv({
          eventBridge,
          dynamo: stream.dynamo,
          ...(options.eventBusName === undefined ? {} : { eventBusName: options.eventBusName }),
        }),
      );
      const running = forwarder;
      closers.push(() => running.close());
      stream.attach((event) => running.invoke(event) as Promise<StreamBatchResponse | undefined>);
    }
    // Forwarding: every writer reaches the table through the stream's proxy, so each stored event is a record.
    const dynamo = forwarder === undefined ? table : stream.dynamo;
    const receiverEnv = { ...localReceiverEnv({ secretsManager, dynamo }), ...options.env };
    const receiver = await options.receiver(receiverEnv, options.path ?? "/webhooks/lemon-markets");
    closers.push(() => receiver.close());
    return {
      url: receiver.url,
      receiver,
      forwarder,
      secretsManager,
      dynamo,
      stream,
      eventBridge,
      receiverEnv,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
