/**
 * Registration under faults, shared by tests/reliability/registration.test.ts and `npm run stress`: random
 * sequences of create, refresh (Read), replace (Check → Diff → Create new → Delete old) and delete, driven
 * through Pulumi's own provider host exactly as the engine drives it, while the emulator answers a seeded
 * share of API requests with 5xx, 429, slowness or commit-then-drop. A model of the engine's state (ids of
 * successful Creates, kept until a Delete succeeds) must match the webhooks the emulator holds after every
 * step: no orphan (at lemon.markets, not in state), no ghost (in state, gone), no duplicate.
 */
import fc from "fast-check";
import type { Emulator, Fault, RandomFaultOptions } from "../../../emulator";
import type { Props, ProviderHost } from "../provider-host";

/** One step of a sequence; `pick` chooses which existing resource it applies to. */
export interface RegistrationStep {
  readonly kind: "create" | "refresh" | "replace" | "delete";
  readonly pick: number;
}

/** Random step sequences (creates weighted up so there is usually something to act on). */
export const registrationSteps = (minLength: number, maxLength: number): fc.Arbitrary<RegistrationStep[]> =>
  fc.array(
    fc.record({
      kind: fc.oneof(
        { weight: 3, arbitrary: fc.constant("create" as const) },
        { weight: 2, arbitrary: fc.constant("refresh" as const) },
        { weight: 2, arbitrary: fc.constant("replace" as const) },
        { weight: 2, arbitrary: fc.constant("delete" as const) },
      ),
      pick: fc.nat(),
    }),
    { minLength, maxLength },
  );

/** The faults the emulator injects: 5xx, 429 (Retry-After 0 s so runs stay quick), slow, commit-then-drop. */
export const REGISTRATION_FAULTS: readonly Fault[] = [
  { kind: "status", status: 503 },
  { kind: "status", status: 500 },
  { kind: "status", status: 502 },
  { kind: "retryAfter", seconds: 0 },
  { kind: "slow", ms: 150 },
  { kind: "commitThenDrop" },
];

/** Random-fault settings for a run with `rate` and `seed`. */
export function registrationFaults(rate: number, seed: number): RandomFaultOptions {
  return { rate, kinds: REGISTRATION_FAULTS, seed };
}

/** One resource as the engine's state holds it. */
interface StateEntry {
  readonly name: string;
  id: string;
  properties: Props;
}

/** A replaced resource's old webhook: the engine keeps it in state as a pending delete until deleted. */
interface PendingDelete {
  readonly id: string;
  readonly properties: Props;
}

/** What one sequence did. */
export interface SequenceReport {
  readonly steps: number;
  /** Steps whose provider call failed (the engine would report the error), by step kind. */
  readonly failed: Readonly<Record<string, number>>;
  /** After every step: ids only the emulator had, and ids only state had; both must stay empty. */
  readonly orphans: readonly string[];
  readonly ghosts: readonly string[];
  /** Webhooks at the emulator sharing one resource's url and events (registered twice). */
  readonly duplicates: readonly string[];
  /** Failure messages, to check they carry no secret. */
  readonly messages: readonly string[];
  /** Signature secrets the successful creates returned, to look for in messages and output. */
  readonly secrets: readonly string[];
}

const EVENT_SETS = [["account.created"], ["account.created", "order.executed"]] as const;

/**
 * Runs `steps` against a clean emulator (all webhooks deleted first, faults on while the steps run).
 *
 * @example
 * const report = await runSequence(host, emu, provider, steps, registrationFaults(0.25, 7));
 */
export async function runSequence(
  host: ProviderHost,
  emu: Emulator,
  provider: string,
  steps: readonly RegistrationStep[],
  faults: RandomFaultOptions,
  urlBase: string,
): Promise<SequenceReport> {
  emu.faults.clear();
  const state: StateEntry[] = [];
  const pendingDeletes: PendingDelete[] = [];
  const failed: Record<string, number> = {};
  const orphans: string[] = [];
  const ghosts: string[] = [];
  const duplicates: string[] = [];
  const messages: string[] = [];
  const secrets: string[] = [];
  let created = 0;

  const news = (name: string, events: readonly string[]): Props => ({
    url: `${urlBase}/${name}`,
    events: [...events],
    apiBaseUrl: emu.baseUrl,
    __provider: provider,
  });
  const attempt = async (kind: string, action: () => Promise<void>) => {
    try {
      await action();
    } catch (error) {
      failed[kind] = (failed[kind] ?? 0) + 1;
      messages.push(error instanceof Error ? error.message : String(error));
    }
  };
  const compare = (step: number) => {
    const inState = new Set([
      ...state.map((entry) => entry.id),
      ...pendingDeletes.map((pending) => pending.id),
    ]);
    const atEmulator = emu.webhooks();
    for (const webhook of atEmulator)
      if (!inState.has(webhook.id)) orphans.push(`step ${step}: ${webhook.id}`);
    const present = new Set(atEmulator.map((webhook) => webhook.id));
    for (const id of inState) if (!present.has(id)) ghosts.push(`step ${step}: ${id}`);
    const seen = new Map<string, number>();
    for (const webhook of atEmulator) {
      const key = `${webhook.url} ${[...webhook.events].sort().join(",")}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    for (const [key, count] of seen) if (count > 1) duplicates.push(`step ${step}: ${key} ×${count}`);
  };

  emu.faults.random(faults);
  try {
    for (const [index, step] of steps.entries()) {
      const target = state.length === 0 ? undefined : state[step.pick % state.length];
      if (step.kind === "create" || target === undefined) {
        const name = `r${created}`;
        created += 1;
        await attempt("create", async () => {
          const { inputs } = await host.check({}, news(name, EVENT_SETS[0]));
          const result = await host.create(inputs);
          secrets.push(String(result.properties.signatureSecret));
          state.push({ name, id: result.id, properties: result.properties });
        });
      } else if (step.kind === "refresh") {
        await attempt("refresh", async () => {
          const read = await host.read(target.id, target.properties);
          if (read.id === "") state.splice(state.indexOf(target), 1);
          else target.properties = read.properties;
        });
      } else if (step.kind === "replace") {
        await attempt("replace", async () => {
          const current = target.properties.events as string[];
          const events = current.length === 1 ? EVENT_SETS[1] : EVENT_SETS[0];
          const { inputs } = await host.check(target.properties, news(target.name, events));
          const diff = await host.diff(target.id, target.properties, inputs);
          if (diff.replaces.length === 0)
            throw new Error(`diff did not ask for replacement: ${JSON.stringify(diff)}`);
          const result = await host.create(inputs);
          secrets.push(String(result.properties.signatureSecret));
          // Create-before-delete: the new resource is in state now; the old one is a pending delete.
          pendingDeletes.push({ id: target.id, properties: target.properties });
          target.id = result.id;
          target.properties = result.properties;
        });
      } else {
        await attempt("delete", async () => {
          await host.delete(target.id, target.properties);
          state.splice(state.indexOf(target), 1);
        });
      }
      // The replacement's delete step (and, for one that failed before, the engine's retry on the next run).
      for (const pending of [...pendingDeletes]) {
        await attempt("delete", async () => {
          await host.delete(pending.id, pending.properties);
          pendingDeletes.splice(pendingDeletes.indexOf(pending), 1);
        });
      }
      compare(index);
    }
  } finally {
    emu.faults.clear();
  }
  return { steps: steps.length, failed, orphans, ghosts, duplicates, messages, secrets };
}

/** Deletes every webhook at the emulator directly (no faults), so each sequence starts clean. */
export async function resetEmulator(emu: Emulator, apiKey: string): Promise<void> {
  emu.faults.clear();
  for (const webhook of emu.webhooks()) {
    const response = await fetch(`${emu.baseUrl}/webhooks/${webhook.id}`, {
      method: "DELETE",
      headers: {
        authorization: `Bearer ${apiKey}`,
        "LMG-Data-Privacy-Access-Principal": "reliability-suite",
        "LMG-Data-Privacy-Access-Justification": "reset",
      },
    });
    if (response.status !== 204) throw new Error(`reset: DELETE ${webhook.id} answered ${response.status}`);
  }
}
