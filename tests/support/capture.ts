import { inspect } from "node:util";
import { LemonApiError } from "../../components/lemon-api";

/** Awaits a promise that must reject with a {@link LemonApiError} and returns that error. */
export async function rejection(promise: Promise<unknown>): Promise<LemonApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof LemonApiError) return error;
    throw error;
  }
  throw new Error("expected a LemonApiError, but the operation succeeded");
}

/** Every way an error can end up in a log: inspected deeply (hidden fields too), serialised, stringified. */
export function everyRendering(error: unknown): string {
  return [
    inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true, getters: true }),
    JSON.stringify(error),
    String(error),
    error instanceof Error ? (error.stack ?? "") : "",
  ].join("\n");
}

/** Records the waits a client asks for instead of waiting. */
export function recordingSleep(): {
  readonly waits: number[];
  readonly sleep: (ms: number) => Promise<void>;
} {
  const waits: number[] = [];
  return {
    waits,
    sleep: async (ms: number) => {
      waits.push(ms);
    },
  };
}
