/**
 * Pure validation and normalisation of WebhookRegistration inputs: what the provider's `check` runs in the
 * provider host and what the program-side class runs to warn early. No I/O, no secrets.
 */
import * as pulumi from "@pulumi/pulumi";
import { EVENT_TYPE_PATTERN, isPublishedEventType } from "../lemon-api/event-types";
import { SANDBOX_BASE_URL } from "../lemon-api/options";
import type { CheckedInputs } from "./types";

/** lemon.markets' `maxLength` of `CreateWebhookRequest.url`. */
export const MAX_URL_LENGTH = 2083;

/**
 * Base URL used when `apiBaseUrl` is not given: the sandbox, so a fresh deployment never touches real
 * customer data by accident. `check` writes it into state, so a later default change cannot move a webhook.
 */
export const DEFAULT_API_BASE_URL = SANDBOX_BASE_URL;

/** Hosts for which plain `http://` is accepted: the local emulator and sandbox only. */
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Header values must not be able to inject a second header line. */
const HEADER_VALUE_PATTERN = /^[^\r\n]+$/;

/** lemon.markets ids are `wbh_` + hex; accept any URL-safe token so a future id format still adopts. */
const WEBHOOK_ID_PATTERN = /^[A-Za-z0-9_-]+$/;

/** Outcome of {@link checkRegistrationInputs}: `inputs` is set exactly when `failures` is empty. */
export interface RegistrationCheck {
  readonly inputs: CheckedInputs | undefined;
  readonly failures: pulumi.dynamic.CheckFailure[];
  /** Non-fatal findings (unknown event types); the program-side class logs them with `pulumi.log.warn`. */
  readonly warnings: string[];
}

/**
 * Validates and normalises resolved inputs. Values still unknown during a preview pass through unchecked;
 * they are checked again when the engine knows them.
 *
 * @example
 * const { inputs, failures } = checkRegistrationInputs({ url: "https://hooks.example.com/lemon", events: ["order.created"] });
 * // inputs.events → ["order.created"], inputs.apiBaseUrl → DEFAULT_API_BASE_URL, failures → []
 */
export function checkRegistrationInputs(news: Readonly<Record<string, unknown>>): RegistrationCheck {
  const failures: pulumi.dynamic.CheckFailure[] = [];
  const warnings: string[] = [];
  const fail = (property: string, reason: string) => failures.push({ property, reason });

  const url = checkUrl(news.url, fail);
  const events = checkEvents(news.events, fail, warnings);
  const apiBaseUrl = checkApiBaseUrl(news.apiBaseUrl, fail);
  const privacyPrincipal = checkHeaderValue("privacyPrincipal", news.privacyPrincipal, fail);
  const privacyJustification = checkHeaderValue("privacyJustification", news.privacyJustification, fail);
  const adoptWebhookId = checkAdoptWebhookId(news.adoptWebhookId, fail);
  const deleteBeforeReplace = news.deleteBeforeReplace ?? false;
  if (typeof deleteBeforeReplace !== "boolean") {
    fail(
      "deleteBeforeReplace",
      "deleteBeforeReplace must be true or false (default false: create before delete)",
    );
  }
  if (failures.length > 0 || url === undefined || events === undefined || apiBaseUrl === undefined) {
    return { inputs: undefined, failures, warnings };
  }
  const inputs: CheckedInputs = {
    url,
    events,
    apiBaseUrl,
    deleteBeforeReplace: deleteBeforeReplace === true,
    ...(privacyPrincipal === undefined ? {} : { privacyPrincipal }),
    ...(privacyJustification === undefined ? {} : { privacyJustification }),
    ...(adoptWebhookId === undefined ? {} : { adoptWebhookId }),
  };
  return { inputs, failures, warnings };
}

/**
 * Sorted, deduplicated copy of `events`: lemon.markets treats them as a set, so order and repetition must
 * neither cause a diff nor reach the API (which rejects duplicates).
 */
export function normaliseEvents(events: readonly string[]): string[] {
  return [...new Set(events)].sort();
}

/**
 * Comparison form of a URL: scheme and host lower-cased, default port and a trailing slash of the path
 * dropped. Only for diffing — the URL is registered exactly as given, since a receiver may route `/a/` and
 * `/a` differently. Returns the input unchanged when it is not an absolute URL.
 */
export function normaliseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  const path = parsed.pathname.endsWith("/") ? parsed.pathname.slice(0, -1) : parsed.pathname;
  return `${parsed.protocol}//${parsed.host}${path}${parsed.search}${parsed.hash}`;
}

/** True for a value the engine has not resolved yet (preview); such values are checked on `up`. */
export function isUnknown(value: unknown): boolean {
  return value === pulumi.runtime.unknownValue;
}

type Fail = (property: string, reason: string) => void;

function checkUrl(value: unknown, fail: Fail): string | undefined {
  if (isUnknown(value)) return value as string;
  const example = "e.g. https://abc123.execute-api.eu-central-1.amazonaws.com/webhooks/lemon";
  if (typeof value !== "string" || value.length === 0) {
    fail("url", `url is required: the receiver's absolute https:// URL, ${example}`);
    return undefined;
  }
  const problem = absoluteUrlProblem("url", value, example);
  if (problem !== undefined) {
    fail("url", problem);
    return undefined;
  }
  if (value.length > MAX_URL_LENGTH) {
    fail(
      "url",
      `url is ${value.length} characters; lemon.markets accepts at most ${MAX_URL_LENGTH}: shorten it`,
    );
    return undefined;
  }
  return value;
}

function checkApiBaseUrl(value: unknown, fail: Fail): string | undefined {
  if (value === undefined || value === null) return DEFAULT_API_BASE_URL;
  if (isUnknown(value)) return value as string;
  const example = `e.g. ${DEFAULT_API_BASE_URL}`;
  if (typeof value !== "string" || value.length === 0) {
    fail("apiBaseUrl", `apiBaseUrl must be a URL ending in /v1, ${example}; omit it for the sandbox`);
    return undefined;
  }
  const problem = absoluteUrlProblem("apiBaseUrl", value, example);
  if (problem !== undefined) {
    fail("apiBaseUrl", problem);
    return undefined;
  }
  const trimmed = value.replace(/\/+$/, "");
  if (!new URL(trimmed).pathname.endsWith("/v1")) {
    fail("apiBaseUrl", `apiBaseUrl must end in /v1 (the API version path), ${example}`);
    return undefined;
  }
  return trimmed;
}

/** Why `value` is not an acceptable absolute URL, or `undefined` when it is. Never echoes the full URL. */
function absoluteUrlProblem(field: string, value: string, example: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return `${field} must be an absolute URL, ${example}`;
  }
  if (parsed.username !== "" || parsed.password !== "") {
    return `${field} must not contain credentials (user:password@); lemon.markets authenticates by signature`;
  }
  if (parsed.protocol === "https:") return undefined;
  if (parsed.protocol === "http:" && LOOPBACK_HOSTS.has(parsed.hostname)) return undefined;
  if (parsed.protocol === "http:") {
    return `${field} must use https:// (http:// is accepted only for localhost, 127.0.0.1 and [::1]), ${example}`;
  }
  return `${field} must use https://, not ${parsed.protocol}//, ${example}`;
}

function checkEvents(value: unknown, fail: Fail, warnings: string[]): string[] | undefined {
  if (isUnknown(value)) return value as unknown as string[];
  const example = 'e.g. ["account.created", "order.executed"]';
  if (!Array.isArray(value)) {
    fail("events", `events must be a list of event types, ${example}`);
    return undefined;
  }
  if (value.length === 0) {
    fail("events", `events must contain at least one event type, ${example}`);
    return undefined;
  }
  let valid = true;
  value.forEach((type: unknown, index) => {
    if (isUnknown(type)) return;
    if (typeof type !== "string" || !EVENT_TYPE_PATTERN.test(type)) {
      valid = false;
      // Truncated: an error message is no place for an arbitrarily long value.
      const shown = typeof type === "string" ? JSON.stringify(type.slice(0, 80)) : typeof type;
      fail(
        "events",
        `events[${index}] ${shown} is not an event type: use lowercase <entity>.<action>, ${example}`,
      );
    }
  });
  if (!valid) return undefined;
  warnings.push(...unpublishedEventWarnings(value));
  return normaliseEvents(value as string[]);
}

/**
 * One warning per well-formed event type outside the published list (once per type). Such types are
 * registered anyway: lemon.markets says the list grows, and the API is the judge.
 */
export function unpublishedEventWarnings(events: readonly unknown[]): string[] {
  const unpublished = events.filter(
    (type): type is string =>
      typeof type === "string" &&
      !isUnknown(type) &&
      EVENT_TYPE_PATTERN.test(type) &&
      !isPublishedEventType(type),
  );
  return [...new Set(unpublished)].map(
    (type) =>
      `events: "${type}" is not in the published lemon.markets event types known to this package; it is ` +
      "registered as given (lemon.markets adds types) — check the spelling if that is unexpected",
  );
}

function checkHeaderValue(field: string, value: unknown, fail: Fail): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (isUnknown(value)) return value as string;
  if (typeof value !== "string" || !HEADER_VALUE_PATTERN.test(value)) {
    fail(
      field,
      `${field} must be a non-empty single-line string (an HTTP header value); omit it for the default`,
    );
    return undefined;
  }
  return value;
}

function checkAdoptWebhookId(value: unknown, fail: Fail): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (isUnknown(value)) return value as string;
  if (typeof value !== "string" || !WEBHOOK_ID_PATTERN.test(value)) {
    fail(
      "adoptWebhookId",
      "adoptWebhookId must be a lemon.markets webhook id, e.g. wbh_0953534cf20f414098533680abd6b1c6",
    );
    return undefined;
  }
  return value;
}
