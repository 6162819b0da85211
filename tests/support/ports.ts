/** In-memory ports for testing the receive core: deterministic, recording every call. */
import { DependencyUnavailableError } from "../../lambda/core/errors";
import { createEmfMetrics, createJsonLogger } from "../../lambda/core/observability";
import type { Clock, EventStore, SecretSource, SecretVersion, StoreOutcome } from "../../lambda/core/ports";
import { createReceiver, type Receive, type ReceiverDeps } from "../../lambda/receiver/receive";
import type { NewStoredEvent } from "../../contract/events-table";

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

/** Conditional-put semantics of the DynamoDB store; records every call; can be told to fail. */
export class MemoryEventStore implements EventStore {
  readonly items = new Map<string, NewStoredEvent & { receivedAtMs: number }>();
  readonly calls: string[] = [];
  /** Fails every call without an answer (as a timeout would). */
  failing = false;
  /** The next write lands, but its caller sees a failure (the answer was lost). */
  landThenFail = 0;
  async store(event: NewStoredEvent, nowMs: number): Promise<StoreOutcome> {
    this.calls.push(`store ${event.id}`);
    if (this.failing) throw new DependencyUnavailableError("dynamodb", "timeout");
    if (this.items.has(event.id)) return "duplicate";
    this.items.set(event.id, { ...event, receivedAtMs: nowMs });
    if (this.landThenFail > 0) {
      this.landThenFail -= 1;
      throw new DependencyUnavailableError("dynamodb", "timeout");
    }
    return "stored";
  }
}

/** A receiver over in-memory ports with captured log and EMF lines. */
export interface TestReceiver {
  readonly receive: Receive;
  readonly lines: string[];
  readonly clock: ManualClock;
  readonly secrets: MemorySecretSource;
  readonly store: MemoryEventStore;
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
  const store = new MemoryEventStore();
  const write = (line: string) => lines.push(line);
  const receive = createReceiver({
    config: overrides.config ?? {
      maxBodyBytes: 65_536,
      secretCacheSeconds: 300,
      rotationGraceSeconds: 86_400,
    },
    secrets,
    store,
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
    store,
    logs: () => parsed().filter((l) => !("_aws" in l)),
    metrics: () => parsed().filter((l) => "_aws" in l),
  };
}
