/**
 * `lemon-webhooks send-test-event`: proves a deployed receiver works end to end, like `stripe trigger`.
 * Signs a synthetic event exactly as lemon.markets would (`contract/signature.ts`), POSTs it, reports status
 * and round-trip time, and with `--expect-forwarded` confirms it reached the bus.
 *
 * Why the signature secret is read from Secrets Manager by the `secretArn` output rather than from a secret
 * stack output: the secret then never sits in stack outputs (where every `pulumi stack output
 * --show-secrets` would print it); reading it needs `secretsmanager:GetSecretValue`, which is exactly who
 * should be able to forge deliveries. The stack outputs are therefore read WITHOUT `--show-secrets`.
 *
 * Why "forwarded" is confirmed by the stored item: the 200 only says the event is stored; the forwarder
 * (on the table's stream) sets the item's `forwardedAtMs` only after EventBridge accepted its `PutEvents`
 * entry (`lambda/forwarder/forward.ts`), so that attribute is AWS's own record that the bus has the event,
 * independent of the HTTP answer, and needs no test rule or queue on the bus.
 */
import { randomUUID } from "node:crypto";
import { STORED_EVENT_ATTRIBUTES } from "../contract/events-table";
import { DEFAULT_SIGNATURE_SCHEME, type SignatureScheme, signHeaders } from "../contract/signature";
import {
  formatSignatureScheme,
  parseSignatureScheme,
  SignatureSchemeError,
} from "../contract/signature-presets";
import type { AwsJsonClient } from "../lambda/aws/json-client";
import { SecretsManagerSecretSource } from "../lambda/aws/secret-source";
import { EXIT, type SendTestEventOptions } from "./args";
import { cliAwsClient, regionOfArn } from "./aws";
import { ProductionStackError, refuseProductionStack, SetupError, stackOutputs } from "./stack";

export { SetupError } from "./stack";

/** What the command touches outside itself; injectable for tests. */
export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  /** Runs the Pulumi CLI with `args` and resolves with its stdout (rejects when it fails). */
  readonly runPulumi: (args: readonly string[]) => Promise<string>;
  /** Monotonic milliseconds, for the round-trip time. */
  readonly now: () => number;
}

/** The marker every test event carries in `context.test`. */
export const TEST_EVENT_MARKER = "lemon-webhooks send-test-event";
/** Prefix of every test event id (consumers can filter with `{"anything-but": {"prefix": "evt_test_"}}`). */
export const TEST_EVENT_ID_PREFIX = "evt_test_";
/**
 * How long --expect-forwarded keeps looking for the forwarded mark after the 200: the stream's delivery
 * (usually well under a second), the mapping's batching window, and a retry or two of the forwarder.
 */
export const CONFIRM_WINDOW_MS = 30_000;

/** The EventBridge pattern fragment that keeps test events out of a rule (docs/operations.md). */
export const IGNORE_TEST_EVENTS_PATTERN = `"detail": {"id": [{"anything-but": {"prefix": "${TEST_EVENT_ID_PREFIX}"}}]}`;

/**
 * The line printed before every send: the event reaches consumers like a real one (the default type
 * `order.executed` looks like a real execution), so say how it is marked and how a rule ignores it.
 */
export function testEventNotice(type: string): string {
  return `Notice: this is a TEST ${type} event, delivered to your consumers like a real one. It is marked: id ${TEST_EVENT_ID_PREFIX}…, context.test = "${TEST_EVENT_MARKER}". Rules ignore it with ${IGNORE_TEST_EVENTS_PATTERN} in their pattern.`;
}

/** A synthetic event in the `EventExternal` shape lemon.markets delivers. */
export function syntheticEvent(
  type: string,
  at: Date,
  id = `${TEST_EVENT_ID_PREFIX}${randomUUID().replace(/-/g, "")}`,
) {
  return {
    id,
    type,
    created_at: at.toISOString().replace("Z", "+00:00"),
    context: { test: TEST_EVENT_MARKER },
  };
}

interface Resolved {
  readonly endpoint: string;
  readonly secret: string;
  readonly dedupeTable: string | undefined;
  /** Region of the dedupe table (the secret's region for --stack, AWS_REGION for --endpoint). */
  readonly region: string | undefined;
  /** How to sign: --signature-scheme, else the stack's `signatureScheme` output, else lemon-default. */
  readonly scheme: SignatureScheme;
  /** The stack's CloudWatch dashboard (`dashboardUrl` output), when it has one. */
  readonly dashboardUrl?: string;
}

/**
 * The scheme the stack's receiver verifies with: its `signatureScheme` output (absent on a stack deployed
 * before the output existed, whose receiver then uses the default too).
 */
function deployedScheme(stack: string, output: unknown): SignatureScheme {
  if (output === undefined) return DEFAULT_SIGNATURE_SCHEME;
  try {
    return parseSignatureScheme(
      typeof output === "string" ? output : JSON.stringify(output),
      "signatureScheme",
    );
  } catch (error) {
    if (!(error instanceof SignatureSchemeError)) throw error;
    throw new SetupError(
      `the signatureScheme output of stack ${stack} is not a valid scheme (${error.message}); run pulumi up`,
    );
  }
}

function client(env: CliIo["env"], region: string, service: "secretsManager" | "dynamodb"): AwsJsonClient {
  return cliAwsClient(env, region, service);
}

async function resolve(options: SendTestEventOptions, io: CliIo): Promise<Resolved> {
  const { target } = options;
  if (target.kind === "endpoint") {
    const secret = io.env[target.secretEnvVar];
    if (secret === undefined || secret === "") {
      throw new SetupError(
        `environment variable ${target.secretEnvVar} (--secret-from-env) is empty; export the signature secret in it`,
      );
    }
    return {
      endpoint: target.endpoint,
      secret,
      dedupeTable: target.dedupeTable,
      region: io.env.AWS_REGION,
      scheme: options.signatureScheme ?? DEFAULT_SIGNATURE_SCHEME,
    };
  }
  const outputs = await stackOutputs(target.stack, io.runPulumi);
  if (!options.yes) await refuseProductionStack(target.stack, io.runPulumi);
  const endpoint = outputs.endpointUrl;
  const secretArn = outputs.secretArn;
  if (typeof endpoint !== "string" || typeof secretArn !== "string") {
    throw new SetupError(
      `stack ${target.stack} lacks the endpointUrl and secretArn outputs; export them from the stack program (see docs/operations.md)`,
    );
  }
  const region = regionOfArn(secretArn);
  let secret: string;
  try {
    secret = (
      await new SecretsManagerSecretSource(client(io.env, region, "secretsManager"), secretArn).current()
    ).value;
  } catch (error) {
    if (error instanceof SetupError) throw error;
    const detail = error instanceof Error ? error.message : "unknown error";
    throw new SetupError(
      `could not read the signature secret ${secretArn} (${detail}); your credentials need secretsmanager:GetSecretValue on it`,
    );
  }
  const table = outputs.dedupeTableName;
  return {
    endpoint,
    secret,
    dedupeTable: typeof table === "string" ? table : undefined,
    region,
    scheme: options.signatureScheme ?? deployedScheme(target.stack, outputs.signatureScheme),
    ...(typeof outputs.dashboardUrl === "string" ? { dashboardUrl: outputs.dashboardUrl } : {}),
  };
}

/** What the item of `eventId` says: not stored (yet), stored, or stored and marked forwarded. */
async function stateOf(
  dynamodb: AwsJsonClient,
  table: string,
  eventId: string,
): Promise<"absent" | "stored" | "forwarded"> {
  const a = STORED_EVENT_ATTRIBUTES;
  const got = await dynamodb.call<{ Item?: Record<string, { N?: string } | undefined> }>("GetItem", {
    TableName: table,
    Key: { [a.id]: { S: eventId } },
    ConsistentRead: true,
  });
  const item = got.ok ? got.value.Item : undefined;
  if (item === undefined) return "absent";
  return item[a.forwardedAtMs]?.N === undefined ? "stored" : "forwarded";
}

async function confirmForwarded(
  resolved: Resolved,
  eventId: string,
  io: CliIo,
  options: { readonly confirmWindowMs?: number },
): Promise<number> {
  if (resolved.dedupeTable === undefined || resolved.region === undefined) {
    io.stderr(
      "Cannot confirm: the dedupe table or its region is unknown (set --dedupe-table and AWS_REGION, or use --stack).",
    );
    return EXIT.notForwarded;
  }
  const dynamodb = client(io.env, resolved.region, "dynamodb");
  const until = io.now() + (options.confirmWindowMs ?? CONFIRM_WINDOW_MS);
  let state: "absent" | "stored" | "forwarded" = "absent";
  try {
    for (;;) {
      state = await stateOf(dynamodb, resolved.dedupeTable, eventId);
      if (state === "forwarded") {
        io.stdout(
          `Confirmed: ${eventId} reached the event bus (the forwarder marked it ${STORED_EVENT_ATTRIBUTES.forwardedAtMs} in ${resolved.dedupeTable} after EventBridge accepted it).`,
        );
        return EXIT.ok;
      }
      if (io.now() >= until) break;
      await new Promise((r) => setTimeout(r, 250));
    }
  } catch (error) {
    const detail = error instanceof Error ? error.message : "unknown error";
    io.stderr(
      `Cannot confirm: reading ${resolved.dedupeTable} failed (${detail}); your credentials need dynamodb:GetItem on it.`,
    );
    return EXIT.notForwarded;
  }
  io.stderr(
    state === "absent"
      ? `Not confirmed: ${eventId} is not stored in ${resolved.dedupeTable}; check the receiver's logs.`
      : `Not confirmed: ${eventId} is stored in ${resolved.dedupeTable} but not marked forwarded; check the forwarder's logs and its failure queue (lemon-webhooks reforward re-forwards it).`,
  );
  return EXIT.notForwarded;
}

// fetch's errors come from Node's own realm (not `instanceof Error` under test runners): read them by shape.
function errorName(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "name" in error ? String(error.name) : undefined;
}

/** The socket error code behind a failed fetch (`ECONNREFUSED`, `ENOTFOUND`, …). */
function networkCode(error: unknown): string {
  const cause = typeof error === "object" && error !== null && "cause" in error ? error.cause : undefined;
  const code = typeof cause === "object" && cause !== null && "code" in cause ? cause.code : undefined;
  return typeof code === "string" ? code : "network error";
}

function explain(status: number): string {
  if (status === 401)
    return "the receiver rejected the signature: the secret or the signature scheme used here is not the deployed one";
  if (status === 400) return "the receiver rejected the event envelope";
  if (status === 503)
    return "the receiver could not store the event (Secrets Manager or DynamoDB unavailable or slow); lemon.markets would retry";
  if (status === 500)
    return "the receiver failed; see its logs (a misconfiguration is logged naming the variable)";
  return "unexpected answer";
}

/**
 * Runs send-test-event with parsed `options`; resolves with the exit code. Never prints the secret.
 *
 * @example
 * const code = await sendTestEvent({ target: { kind: "stack", stack: "dev" }, type: "order.executed", expectForwarded: true, timeoutMs: 10000, yes: false }, io);
 */
export async function sendTestEvent(options: SendTestEventOptions, io: CliIo): Promise<number> {
  let resolved: Resolved;
  try {
    resolved = await resolve(options, io);
  } catch (error) {
    if (error instanceof ProductionStackError) {
      io.stderr(error.message);
      return EXIT.usage;
    }
    io.stderr(
      error instanceof SetupError
        ? error.message
        : `send-test-event setup failed: ${error instanceof Error ? error.name : "error"}`,
    );
    return EXIT.setup;
  }
  const event = syntheticEvent(options.type, new Date());
  const body = JSON.stringify(event);
  io.stdout(testEventNotice(event.type));
  io.stdout(
    `Sending ${event.type} ${event.id} to ${resolved.endpoint}, signed with ${formatSignatureScheme(resolved.scheme)}`,
  );
  if (resolved.dashboardUrl !== undefined) io.stdout(`Dashboard: ${resolved.dashboardUrl}`);
  const started = io.now();
  let status: number;
  let text: string;
  try {
    const response = await fetch(resolved.endpoint, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...signHeaders(body, resolved.secret, resolved.scheme, { id: event.id }),
        "user-agent": "lemon-webhooks send-test-event",
      },
      body,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    status = response.status;
    text = await response.text();
  } catch (error) {
    const timedOut = errorName(error) === "TimeoutError";
    io.stderr(
      timedOut
        ? `No answer within ${options.timeoutMs} ms (lemon.markets would retry).`
        : `Could not reach ${resolved.endpoint} (${networkCode(error)}); check the URL and that the stack is deployed.`,
    );
    return EXIT.deliveryFailed;
  }
  const rtt = Math.round(io.now() - started);
  if (status !== 200) {
    io.stderr(`HTTP ${status} in ${rtt} ms: ${explain(status)}.`);
    return EXIT.deliveryFailed;
  }
  const outcome = /"status"\s*:\s*"(\w+)"/.exec(text)?.[1] ?? "ok";
  io.stdout(`HTTP 200 in ${rtt} ms: ${outcome}.`);
  return options.expectForwarded ? confirmForwarded(resolved, event.id, io, options) : EXIT.ok;
}
