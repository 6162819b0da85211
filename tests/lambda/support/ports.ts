/** In-memory ports for testing the receive core: deterministic, recording every call. */
import { DependencyUnavailableError } from "../../../lambda/errors";
import { createEmfMetrics, createJsonLogger } from "../../../lambda/observability";
import type {
  ClaimResult,
  Clock,
  DedupeStore,
  EventSink,
  ForwardableEvent,
  SecretSource,
  SecretVersion,
} from "../../../lambda/ports";
import { createReceiver, type Receive, type ReceiverDeps } from "../../../lambda/receive";

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  constructor(public ms: number) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** Secret versions held in memory; counts calls; can be told to fail. */
export class MemorySecretSource implements SecretSource {
  currentCalls = 0;
  previousCalls = 0;
  failing = false;
  constructor(
    public currentVersion: SecretVersion,
    public previousVersion?: SecretVersion,
  ) {}
  async current(): Promise<SecretVersion> {
    this.currentCalls += 1;
    if (this.failing) throw new DependencyUnavailableError("secrets-manager", "InternalServiceError");
    return this.currentVersion;
  }
  async previous(): Promise<SecretVersion | undefined> {
    this.previousCalls += 1;
    if (this.failing) throw new DependencyUnavailableError("secrets-manager", "InternalServiceError");
    return this.previousVersion;
  }
}

/** Claim semantics of the DynamoDB store without leases; records every call. */
export class MemoryDedupeStore implements DedupeStore {
  readonly items = new Map<string, { status: "pending" | "done"; token: string }>();
  readonly calls: string[] = [];
  failClaims = false;
  failRelease = false;
  failComplete = false;
  private next = 0;
  async claim(eventId: string): Promise<ClaimResult> {
    this.calls.push(`claim ${eventId}`);
    if (this.failClaims)
      throw new DependencyUnavailableError("dynamodb", "ProvisionedThroughputExceededException");
    const item = this.items.get(eventId);
    if (item?.status === "done") return { outcome: "done" };
    if (item?.status === "pending") return { outcome: "in-flight", retryAfterSeconds: 5 };
    this.next += 1;
    const token = `token-${this.next}`;
    this.items.set(eventId, { status: "pending", token });
    return { outcome: "claimed", token };
  }
  async complete(eventId: string, token: string): Promise<void> {
    this.calls.push(`complete ${eventId} ${token}`);
    if (this.failComplete) throw new DependencyUnavailableError("dynamodb", "InternalServerError");
    this.items.set(eventId, { status: "done", token });
  }
  async release(eventId: string, token: string): Promise<void> {
    this.calls.push(`release ${eventId} ${token}`);
    if (this.failRelease) throw new DependencyUnavailableError("dynamodb", "InternalServerError");
    this.items.delete(eventId);
  }
}

/** Records forwarded events; fails the next `failNext` calls. */
export class MemoryEventSink implements EventSink {
  readonly forwarded: ForwardableEvent[] = [];
  failNext = 0;
  attempts = 0;
  async forward(event: ForwardableEvent): Promise<void> {
    this.attempts += 1;
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new DependencyUnavailableError("eventbridge", "InternalFailure");
    }
    this.forwarded.push(event);
  }
}

/** A receiver over in-memory ports with captured log and EMF lines. */
export interface TestReceiver {
  readonly receive: Receive;
  readonly lines: string[];
  readonly clock: ManualClock;
  readonly secrets: MemorySecretSource;
  readonly dedupe: MemoryDedupeStore;
  readonly sink: MemoryEventSink;
  /** Parsed log lines (those without `_aws`). */
  logs(): Array<Record<string, unknown>>;
  /** Parsed EMF lines. */
  metrics(): Array<Record<string, unknown>>;
}

export const T0 = Date.parse("2026-07-20T10:00:00.000Z");

export function testReceiver(
  secret: string,
  overrides: Partial<Pick<ReceiverDeps, "config" | "secrets">> = {},
): TestReceiver {
  const lines: string[] = [];
  const clock = new ManualClock(T0);
  const secrets =
    (overrides.secrets as MemorySecretSource | undefined) ??
    new MemorySecretSource({ value: secret, createdAt: new Date(T0 - 30 * 86_400_000) });
  const dedupe = new MemoryDedupeStore();
  const sink = new MemoryEventSink();
  const write = (line: string) => lines.push(line);
  const receive = createReceiver({
    config: overrides.config ?? {
      maxBodyBytes: 65_536,
      secretCacheSeconds: 300,
      rotationGraceSeconds: 86_400,
    },
    secrets,
    dedupe,
    sink,
    clock,
    logger: createJsonLogger(write, clock),
    metrics: createEmfMetrics(write, clock),
  });
  const parsed = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return {
    receive,
    lines,
    clock,
    secrets,
    dedupe,
    sink,
    logs: () => parsed().filter((l) => !("_aws" in l)),
    metrics: () => parsed().filter((l) => "_aws" in l),
  };
}
