/**
 * Dedupe on DynamoDB. Item: `pk` (event id), `status` (`pending` | `done`), `token` (the claim holder),
 * `leaseUntilMs`, `expiresAt` (TTL, epoch seconds).
 *
 * A new event costs one conditional `PutItem` (`attribute_not_exists(pk)`): exactly one of any number of
 * concurrent deliveries wins it. After forwarding, the winner marks the item `done`; on failure it deletes it.
 * A duplicate reads the item: `done` → already forwarded; `pending` → someone is forwarding and may still
 * fail, so "retry later"; `pending` past its lease → the holder died mid-forward, so take the claim over
 * (conditional on the old token) and forward again. The `done` mark is the price of never answering 200 for
 * an event nobody forwarded.
 *
 * A claiming write that was cut off or failed without a clear answer (timeout, deadline, network, 5xx) may
 * still have landed; it is given back at once (best effort, within the deadline's cleanup time), so the
 * sender's retry is not met with 409 until the lease expires.
 */
import { randomUUID } from "node:crypto";
import { type Deadline, NO_DEADLINE } from "../deadline";
import { DependencyUnavailableError } from "../errors";
import type { ClaimResult, DedupeStore } from "../ports";
import { type AwsJsonClient, AwsServiceError } from "./json-client";

/** Longest `Retry-After` suggested to an in-flight duplicate; the holder usually finishes in milliseconds. */
export const MAX_IN_FLIGHT_RETRY_AFTER_SECONDS = 5;

const CONDITION_FAILED = ["ConditionalCheckFailedException"] as const;
const NAMES = { "#s": "status", "#t": "token", "#l": "leaseUntilMs" } as const;

/**
 * Whether a failed write may nevertheless have been applied: it was sent (the error has a cause) and the
 * answer was not a definite AWS rejection (4xx).
 */
function mayHaveLanded(error: unknown): boolean {
  if (!(error instanceof DependencyUnavailableError) || error.cause === undefined) return false;
  return !(error.cause instanceof AwsServiceError && error.cause.status < 500);
}

interface StoredItem {
  readonly status?: { readonly S?: string };
  readonly token?: { readonly S?: string };
  readonly leaseUntilMs?: { readonly N?: string };
}

/** Time settings of the store. */
export interface DedupeTimes {
  /** How long an event id is remembered (`LEMON_DEDUPE_TTL_SECONDS`). */
  readonly ttlSeconds: number;
  /** How long a claim protects an unfinished forward (`LEMON_CLAIM_LEASE_SECONDS`). */
  readonly leaseSeconds: number;
}

/** {@link DedupeStore} on a DynamoDB table with partition key `pk` (string). */
export class DynamoDbDedupeStore implements DedupeStore {
  constructor(
    private readonly client: AwsJsonClient,
    private readonly tableName: string,
    private readonly times: DedupeTimes,
  ) {}

  async claim(eventId: string, nowMs: number, deadline: Deadline = NO_DEADLINE): Promise<ClaimResult> {
    const token = randomUUID();
    const leaseUntilMs = nowMs + this.times.leaseSeconds * 1000;
    const put = await this.claimingWrite(eventId, token, deadline, () =>
      this.client.call(
        "PutItem",
        {
          TableName: this.tableName,
          Item: {
            pk: { S: eventId },
            status: { S: "pending" },
            token: { S: token },
            leaseUntilMs: { N: String(leaseUntilMs) },
            expiresAt: { N: String(Math.floor(nowMs / 1000) + this.times.ttlSeconds) },
          },
          ConditionExpression: "attribute_not_exists(pk)",
        },
        CONDITION_FAILED,
        deadline,
      ),
    );
    if (put.ok) return { outcome: "claimed", token };
    return this.inspectExisting(eventId, nowMs, token, leaseUntilMs, deadline);
  }

  /** Runs a write that would give `token` the claim; if it failed but may have landed, gives the claim back. */
  private async claimingWrite<T>(
    eventId: string,
    token: string,
    deadline: Deadline,
    write: () => Promise<T>,
  ): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (mayHaveLanded(error)) {
        // Conditional on our fresh token: a no-op when the write did not land. If this fails too, the lease
        // expires and a retry takes the claim over: delayed, never lost.
        await this.release(eventId, token, deadline.cleanup).catch(() => undefined);
      }
      throw error;
    }
  }

  private async inspectExisting(
    eventId: string,
    nowMs: number,
    token: string,
    leaseUntilMs: number,
    deadline: Deadline,
  ): Promise<ClaimResult> {
    const got = await this.client.call<{ Item?: StoredItem }>(
      "GetItem",
      { TableName: this.tableName, Key: { pk: { S: eventId } }, ConsistentRead: true },
      [],
      deadline,
    );
    const item = got.ok ? got.value.Item : undefined;
    // Gone between our write and read: its holder released it a moment ago; the next retry can claim it.
    if (item === undefined) return { outcome: "in-flight", retryAfterSeconds: 1 };
    if (item.status?.S === "done") return { outcome: "done" };
    const heldUntilMs = Number(item.leaseUntilMs?.N ?? "0");
    if (heldUntilMs > nowMs) {
      const seconds = Math.ceil((heldUntilMs - nowMs) / 1000);
      return {
        outcome: "in-flight",
        retryAfterSeconds: Math.min(MAX_IN_FLIGHT_RETRY_AFTER_SECONDS, seconds),
      };
    }
    const takeover = await this.claimingWrite(eventId, token, deadline, () =>
      this.client.call(
        "UpdateItem",
        {
          TableName: this.tableName,
          Key: { pk: { S: eventId } },
          UpdateExpression: "SET #t = :new, #l = :lease",
          ConditionExpression: "#s = :pending AND #t = :old",
          ExpressionAttributeNames: NAMES,
          ExpressionAttributeValues: {
            ":new": { S: token },
            ":lease": { N: String(leaseUntilMs) },
            ":pending": { S: "pending" },
            ":old": { S: item.token?.S ?? "" },
          },
        },
        CONDITION_FAILED,
        deadline,
      ),
    );
    return takeover.ok ? { outcome: "claimed", token } : { outcome: "in-flight", retryAfterSeconds: 1 };
  }

  async complete(eventId: string, token: string, deadline?: Deadline): Promise<void> {
    // Conditional on our token: if our lease ran out and another invocation took over, its claim stands.
    await this.client.call(
      "UpdateItem",
      {
        TableName: this.tableName,
        Key: { pk: { S: eventId } },
        UpdateExpression: "SET #s = :done",
        ConditionExpression: "#t = :token",
        ExpressionAttributeNames: { "#s": NAMES["#s"], "#t": NAMES["#t"] },
        ExpressionAttributeValues: { ":done": { S: "done" }, ":token": { S: token } },
      },
      CONDITION_FAILED,
      deadline,
    );
  }

  async release(eventId: string, token: string, deadline?: Deadline): Promise<void> {
    await this.client.call(
      "DeleteItem",
      {
        TableName: this.tableName,
        Key: { pk: { S: eventId } },
        ConditionExpression: "#t = :token AND #s = :pending",
        ExpressionAttributeNames: { "#s": NAMES["#s"], "#t": NAMES["#t"] },
        ExpressionAttributeValues: { ":token": { S: token }, ":pending": { S: "pending" } },
      },
      CONDITION_FAILED,
      deadline,
    );
  }
}
