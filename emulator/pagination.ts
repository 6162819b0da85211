/**
 * Cursor pagination as lemon.markets does it: `limit` (1..100, default 100) and an opaque `cursor` taken
 * from `pagination.next_cursor`. The cursor carries the position (the sequence number of the last element
 * returned, so inserts between pages never shift or repeat elements) and the query's filters ("a cursor will
 * include filter parameters"), so a follow-up request needs nothing but the cursor.
 */
import { badRequest, unprocessable } from "./errors";

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 100;

/** One page in the `Page_…_` shape. `next_cursor` is `null` on the last page, as in the spec's examples. */
export interface Page<T> {
  data: T[];
  pagination: { next_cursor: string | null };
}

/** What a cursor remembers: which listing, where it stopped, and the listing's filters. */
export interface CursorState {
  readonly listing: "webhooks" | "events";
  readonly after: number;
  readonly filters: Readonly<Record<string, string>>;
}

export function encodeCursor(state: CursorState): string {
  return Buffer.from(JSON.stringify(state), "utf8").toString("base64url");
}

/** Decodes a cursor issued for `listing`; 400 for anything else (cursors are opaque, not user input). */
export function decodeCursor(text: string, listing: CursorState["listing"]): CursorState {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    parsed = undefined;
  }
  if (
    typeof parsed === "object" &&
    parsed !== null &&
    (parsed as CursorState).listing === listing &&
    Number.isSafeInteger((parsed as CursorState).after) &&
    typeof (parsed as CursorState).filters === "object" &&
    (parsed as CursorState).filters !== null &&
    Object.values((parsed as CursorState).filters).every((value) => typeof value === "string")
  ) {
    return parsed as CursorState;
  }
  throw badRequest(
    "cursor is not a cursor this server issued for this listing; pass pagination.next_cursor unchanged",
  );
}

/** Parses the `limit` query value: an integer 1..100, default 100 (422 otherwise, like FastAPI). */
export function parseLimit(text: string | undefined): number {
  if (text === undefined) return DEFAULT_LIMIT;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || value > MAX_LIMIT) {
    throw unprocessable(`limit must be an integer from 1 to ${MAX_LIMIT}; got ${JSON.stringify(text)}`);
  }
  return value;
}

/**
 * Takes the next page from `ordered` (already filtered, in page order: ascending or descending `seq`),
 * starting after sequence number `after` (none: from the start). Comparing positions instead of looking the
 * element up keeps a cursor valid when its element is gone (a webhook deleted between pages).
 */
export function takePage<T>(
  ordered: readonly { readonly seq: number; readonly value: T }[],
  position: { readonly after: number | undefined; readonly descending: boolean },
  limit: number,
  cursorFor: (lastSeq: number) => string,
): Page<T> {
  const { after, descending } = position;
  const found =
    after === undefined
      ? 0
      : ordered.findIndex((entry) => (descending ? entry.seq < after : entry.seq > after));
  const from = found === -1 ? ordered.length : found;
  const slice = ordered.slice(from, from + limit);
  const last = slice[slice.length - 1];
  const more = from + limit < ordered.length;
  return {
    data: slice.map((entry) => entry.value),
    pagination: { next_cursor: more && last ? cursorFor(last.seq) : null },
  };
}
