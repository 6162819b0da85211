/**
 * The EventBridge archive and replay operations `replay` needs, over the Lambdas' SigV4 JSON client:
 * DescribeArchive, StartReplay, DescribeReplay. Timestamps travel as epoch seconds (the JSON protocol's
 * form) and are epoch ms here.
 */
import { type AwsJsonClient, AwsServiceError } from "../lambda/aws/json-client";
import { DependencyUnavailableError } from "../lambda/core/errors";

/** EventBridge answered with an error (its type and message, which name no secret) or could not be reached. */
export class EventBridgeCallError extends Error {
  override readonly name = "EventBridgeCallError";
  constructor(
    readonly operation: string,
    readonly errorType: string,
    message: string,
  ) {
    super(`${operation}: ${message}`);
  }
}

/** An archive as DescribeArchive reports it. */
export interface ArchiveInfo {
  readonly arn: string;
  readonly eventSourceArn: string;
  readonly state: string;
  /** 0 = kept indefinitely. */
  readonly retentionDays: number;
  readonly creationTimeMs: number | undefined;
}

/** A replay's state names. */
export type ReplayStateName = "STARTING" | "RUNNING" | "CANCELLING" | "COMPLETED" | "CANCELLED" | "FAILED";

/** A replay as DescribeReplay reports it. */
export interface ReplayInfo {
  readonly state: ReplayStateName;
  readonly stateReason: string | undefined;
  readonly eventLastReplayedMs: number | undefined;
}

/** What StartReplay takes. */
export interface StartReplayInput {
  readonly name: string;
  readonly archiveArn: string;
  readonly fromMs: number;
  readonly toMs: number;
  readonly busArn: string;
  /** Only these rules see the replayed events; absent: every rule of the bus. */
  readonly ruleArns?: readonly string[];
}

const msOf = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isFinite(value) ? Math.round(value * 1000) : undefined;

async function call<T>(client: AwsJsonClient, operation: string, input: object): Promise<T> {
  try {
    const result = await client.call<T>(operation, input);
    if (!result.ok) throw new EventBridgeCallError(operation, result.errorType, result.errorType);
    return result.value;
  } catch (error) {
    if (!(error instanceof DependencyUnavailableError)) throw error;
    const cause = error.cause;
    if (cause instanceof AwsServiceError)
      throw new EventBridgeCallError(operation, cause.errorType, cause.message);
    throw new EventBridgeCallError(operation, error.code, `EventBridge unreachable (${error.code})`);
  }
}

/** DescribeArchive of `name`. */
export async function describeArchive(client: AwsJsonClient, name: string): Promise<ArchiveInfo> {
  const value = await call<Record<string, unknown>>(client, "DescribeArchive", { ArchiveName: name });
  return {
    arn: String(value.ArchiveArn ?? ""),
    eventSourceArn: String(value.EventSourceArn ?? ""),
    state: String(value.State ?? "UNKNOWN"),
    retentionDays: typeof value.RetentionDays === "number" ? value.RetentionDays : 0,
    creationTimeMs: msOf(value.CreationTime),
  };
}

/** StartReplay; resolves when EventBridge accepted it. */
export async function startReplay(client: AwsJsonClient, input: StartReplayInput): Promise<void> {
  await call(client, "StartReplay", {
    ReplayName: input.name,
    EventSourceArn: input.archiveArn,
    EventStartTime: input.fromMs / 1000,
    EventEndTime: input.toMs / 1000,
    Destination: {
      Arn: input.busArn,
      ...(input.ruleArns === undefined ? {} : { FilterArns: [...input.ruleArns] }),
    },
  });
}

/** DescribeReplay of `name`. */
export async function describeReplay(client: AwsJsonClient, name: string): Promise<ReplayInfo> {
  const value = await call<Record<string, unknown>>(client, "DescribeReplay", { ReplayName: name });
  return {
    state: String(value.State ?? "FAILED") as ReplayStateName,
    stateReason: typeof value.StateReason === "string" ? value.StateReason : undefined,
    eventLastReplayedMs: msOf(value.EventLastReplayedTime),
  };
}
