/**
 * Pure diff of a WebhookRegistration: old state against new checked inputs. Compares inputs only, so a new
 * version of the provider code alone is never a change.
 */
import type * as pulumi from "@pulumi/pulumi";
import { DEFAULT_API_BASE_URL, normaliseEvents, normaliseUrl } from "./check";

/** Properties whose change needs a new webhook (lemon.markets has no update endpoint). */
export const REPLACE_PROPERTIES = ["url", "events", "apiBaseUrl"] as const;

/** Properties that live in state only, so a change is an in-place update without an API call. */
export const UPDATE_PROPERTIES = ["privacyPrincipal", "privacyJustification", "deleteBeforeReplace"] as const;

/**
 * Diffs old state (`olds`, a previous `RegistrationOutputs`) against new checked inputs.
 *
 * - `url`, `events`, `apiBaseUrl` changed → replacement. Order is create-before-delete unless the new
 *   inputs say `deleteBeforeReplace: true`.
 * - privacy headers or `deleteBeforeReplace` changed → in-place update.
 * - event order, duplicate events, a trailing slash, host case → no change.
 * - `adoptWebhookId` is only read on create and never causes a change.
 *
 * @example
 * diffRegistration({ url: "https://h.example/a", events: ["b.x", "a.x"], ... }, { url: "https://h.example/a/", events: ["a.x", "b.x"], ... })
 * // → { changes: false, replaces: [], deleteBeforeReplace: false }
 */
export function diffRegistration(
  olds: Readonly<Record<string, unknown>>,
  news: Readonly<Record<string, unknown>>,
): pulumi.dynamic.DiffResult {
  const replaces = REPLACE_PROPERTIES.filter((key) => !sameValue(key, olds[key], news[key]));
  const updates = UPDATE_PROPERTIES.filter((key) => !sameValue(key, olds[key], news[key]));
  return {
    changes: replaces.length + updates.length > 0,
    replaces: [...replaces],
    deleteBeforeReplace: news.deleteBeforeReplace === true,
  };
}

function sameValue(key: string, old: unknown, next: unknown): boolean {
  switch (key) {
    case "url":
      return typeof old === "string" && typeof next === "string" && normaliseUrl(old) === normaliseUrl(next);
    case "events":
      return sameEventSet(old, next);
    case "apiBaseUrl":
      // State written before apiBaseUrl was filled in by check used the default.
      return (
        normaliseUrl(asString(old) ?? DEFAULT_API_BASE_URL) ===
        normaliseUrl(asString(next) ?? DEFAULT_API_BASE_URL)
      );
    case "deleteBeforeReplace":
      return (old === true) === (next === true);
    default:
      return asString(old) === asString(next);
  }
}

function sameEventSet(old: unknown, next: unknown): boolean {
  if (!isStringArray(old) || !isStringArray(next)) return false;
  const a = normaliseEvents(old);
  const b = normaliseEvents(next);
  return a.length === b.length && a.every((type, index) => type === b[index]);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

function asString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
