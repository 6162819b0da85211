import fc from "fast-check";
import { PUBLISHED_EVENT_TYPES } from "../../../components/lemon-api";
import {
  DEFAULT_API_BASE_URL,
  diffRegistration,
  type RegistrationOutputs,
} from "../../../components/registration";

const OLD: RegistrationOutputs = {
  url: "https://hooks.example.com/lemon",
  events: ["account.created", "order.executed"],
  apiBaseUrl: DEFAULT_API_BASE_URL,
  deleteBeforeReplace: false,
  webhookId: "wbh_0953534cf20f414098533680abd6b1c6",
  signatureSecret: "78147840b851c1532382bc311147e52c4756ba67be1edc48a5daf504c886ac64",
};
const SAME = { url: OLD.url, events: OLD.events, apiBaseUrl: OLD.apiBaseUrl, deleteBeforeReplace: false };
const NO_CHANGE = { changes: false, replaces: [], deleteBeforeReplace: false };

describe("Function: diffRegistration", () => {
  it.each([
    ["identical inputs", {}],
    ["events reordered", { events: ["order.executed", "account.created"] }],
    ["events repeated", { events: ["order.executed", "account.created", "order.executed"] }],
    ["a trailing slash on the url", { url: "https://hooks.example.com/lemon/" }],
    ["upper-case host", { url: "https://HOOKS.example.com/lemon" }],
    ["explicit default port", { url: "https://hooks.example.com:443/lemon" }],
    ["a trailing slash on apiBaseUrl", { apiBaseUrl: `${DEFAULT_API_BASE_URL}/` }],
    ["a new adoptWebhookId", { adoptWebhookId: "wbh_other" }],
  ])("reports no change for %s", (_label, change) => {
    expect(diffRegistration({ ...OLD }, { ...SAME, ...change })).toEqual(NO_CHANGE);
  });

  it.each([
    ["url", "another path", { url: "https://hooks.example.com/lemon-v2" }],
    ["url", "another host", { url: "https://other.example.com/lemon" }],
    ["events", "one type fewer", { events: ["account.created"] }],
    ["events", "one type more", { events: ["account.created", "order.executed", "order.created"] }],
    ["apiBaseUrl", "sandbox to production", { apiBaseUrl: "https://api.lemon.markets/v1" }],
  ])("replaces (create before delete) when %s changes (%s)", (property, _label, change) => {
    expect(diffRegistration({ ...OLD }, { ...SAME, ...change })).toEqual({
      changes: true,
      replaces: [property],
      deleteBeforeReplace: false,
    });
  });

  it("lists every replaced property and honours deleteBeforeReplace from the new inputs", () => {
    // Act
    const diff = diffRegistration(
      { ...OLD },
      { ...SAME, url: "https://x.example/l", events: ["a.b"], deleteBeforeReplace: true },
    );

    // Assess
    expect(diff).toEqual({ changes: true, replaces: ["url", "events"], deleteBeforeReplace: true });
  });

  it.each([
    ["privacyPrincipal set", { privacyPrincipal: "ops" }],
    ["privacyJustification set", { privacyJustification: "CHG-1" }],
    ["deleteBeforeReplace switched on", { deleteBeforeReplace: true }],
  ])("updates in place for %s", (_label, change) => {
    const diff = diffRegistration({ ...OLD }, { ...SAME, ...change });
    expect(diff.changes).toBe(true);
    expect(diff.replaces).toEqual([]);
  });

  it("updates in place when a privacy header is removed", () => {
    expect(diffRegistration({ ...OLD, privacyPrincipal: "ops" }, { ...SAME })).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
  });

  it("treats state without apiBaseUrl as the default base URL", () => {
    const { apiBaseUrl: _unused, ...older } = OLD;
    expect(diffRegistration({ ...older }, { ...SAME })).toEqual(NO_CHANGE);
  });

  it("ignores state-only outputs and a changed serialized provider", () => {
    expect(
      diffRegistration(
        { ...OLD, __provider: "old code" },
        { ...SAME, __provider: "new code", webhookId: "x" },
      ),
    ).toEqual(NO_CHANGE);
  });

  it("never reports a change for any permutation of the same event set", () => {
    const eventsAndPermutation = fc
      .uniqueArray(fc.constantFrom(...PUBLISHED_EVENT_TYPES), { minLength: 1 })
      .chain((events) =>
        fc.tuple(
          fc.constant(events),
          fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
        ),
      );
    fc.assert(
      fc.property(eventsAndPermutation, ([events, permuted]) => {
        expect(diffRegistration({ ...OLD, events }, { ...SAME, events: permuted })).toEqual(NO_CHANGE);
      }),
    );
  });

  it("always replaces when the event sets differ", () => {
    const twoSets = fc
      .tuple(
        fc.uniqueArray(fc.constantFrom(...PUBLISHED_EVENT_TYPES), { minLength: 1 }),
        fc.uniqueArray(fc.constantFrom(...PUBLISHED_EVENT_TYPES), { minLength: 1 }),
      )
      .filter(([a, b]) => [...a].sort().join() !== [...b].sort().join());
    fc.assert(
      fc.property(twoSets, ([a, b]) => {
        expect(diffRegistration({ ...OLD, events: a }, { ...SAME, events: b }).replaces).toEqual(["events"]);
      }),
    );
  });
});
