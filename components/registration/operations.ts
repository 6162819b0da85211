/**
 * The WebhookRegistration provider's work, loaded with `require` by {@link WebhookRegistrationProvider} in
 * the process that runs it (Pulumi's provider host, or the program itself for the sandbox). Being a normal
 * module it is never serialized into state: the API key it reads lives only in this process.
 *
 *   create → GET /v1/webhooks (ids before) + POST /v1/webhooks (once; on a lost answer list and adopt)
 *   read   → GET /v1/webhooks (every page), find the id
 *   update → no API call (only state-only properties change in place)
 *   delete → DELETE /v1/webhooks/{id} (404 = already gone = success)
 */
import type * as pulumi from "@pulumi/pulumi";
import { createLemonClient, LemonApiError, type LemonClient, type Webhook } from "../lemon-api";
import { checkRegistrationInputs, DEFAULT_API_BASE_URL, normaliseEvents, normaliseUrl } from "./check";
import { resolveApiKey } from "./credentials";
import { diffRegistration } from "./diff";
import {
  AdoptionError,
  InvalidInputsError,
  RegistrationConflictError,
  RejectedApiKeyError,
  UnconfirmedRegistrationError,
} from "./errors";
import type { CheckedInputs, RegistrationOutputs } from "./types";

type Props = Readonly<Record<string, unknown>>;

/** Stack config per provider instance; the host configures each deserialized provider once. */
const configs = new WeakMap<object, pulumi.dynamic.Config>();

/** Remembers the stack config the engine passed to `configure` for `owner` (a provider instance). */
export function configure(owner: object, config: pulumi.dynamic.Config): void {
  configs.set(owner, config);
}

/** Validates and normalises inputs; failures name the property and the fix. */
export function check(news: Props): pulumi.dynamic.CheckResult {
  const { inputs, failures } = checkRegistrationInputs(news);
  return inputs === undefined ? { inputs: { ...news }, failures } : { inputs: { ...inputs } };
}

/** Compares old state with new inputs; see {@link diffRegistration}. */
export function diff(olds: Props, news: Props): pulumi.dynamic.DiffResult {
  return diffRegistration(olds, news);
}

/** Registers the webhook (or adopts `adoptWebhookId`) and returns its id, url, events and secret. */
export async function create(
  owner: object,
  news: Props,
): Promise<pulumi.dynamic.CreateResult<RegistrationOutputs>> {
  const inputs = requireChecked(news);
  const client = clientFor(owner, inputs, "create");
  const webhook =
    inputs.adoptWebhookId === undefined
      ? await register(client, inputs)
      : await adopt(client, inputs, inputs.adoptWebhookId);
  return { id: webhook.id, outs: outputsOf(inputs, webhook) };
}

/**
 * Refresh: the webhook as lemon.markets has it now, or an empty id when it is gone (so the next `up`
 * registers it again). Returns inputs as well so later diffs compare against what exists.
 */
export async function read(owner: object, id: string, props: Props): Promise<pulumi.dynamic.ReadResult> {
  const settings = stateSettings(props);
  const webhooks = await clientFor(owner, settings, "refresh")
    .listWebhooks()
    .catch((error: unknown) => {
      throw explainRejectedKey(error, "refresh");
    });
  const webhook = webhooks.find((candidate) => candidate.id === id);
  if (webhook === undefined) return { id: "", props: {} };
  const outs = outputsOf(settings, webhook);
  const { webhookId: _id, signatureSecret: _secret, ...inputs } = outs;
  return { id: webhook.id, props: outs, inputs };
}

/** Only state-only properties (privacy headers, `deleteBeforeReplace`) change in place: no API call. */
export async function update(
  id: string,
  olds: Props,
  news: Props,
): Promise<pulumi.dynamic.UpdateResult<RegistrationOutputs>> {
  const inputs = requireChecked(news);
  if (typeof olds.signatureSecret !== "string") {
    // Only state damaged by hand lacks it; inventing a value would break signature checks silently.
    throw new Error("WebhookRegistration state has no signatureSecret: run `pulumi refresh` to read it back");
  }
  const outs: RegistrationOutputs = {
    url: typeof olds.url === "string" ? olds.url : inputs.url,
    events: Array.isArray(olds.events) ? normaliseEvents(olds.events as string[]) : inputs.events,
    apiBaseUrl: typeof olds.apiBaseUrl === "string" ? olds.apiBaseUrl : inputs.apiBaseUrl,
    deleteBeforeReplace: inputs.deleteBeforeReplace,
    ...privacyOf(inputs),
    webhookId: id,
    signatureSecret: olds.signatureSecret,
  };
  return { outs };
}

/** Deletes the webhook; one that is already gone (404) counts as deleted. */
export async function remove(owner: object, id: string, props: Props): Promise<void> {
  try {
    await clientFor(owner, stateSettings(props), "destroy").deleteWebhook(id);
  } catch (error) {
    if (error instanceof LemonApiError && error.status === 404) return;
    throw explainRejectedKey(error, "destroy");
  }
}

/** A 401 becomes a {@link RejectedApiKeyError} saying how to proceed after a key rotation; others unchanged. */
function explainRejectedKey(error: unknown, operation: "refresh" | "destroy"): unknown {
  return error instanceof LemonApiError && error.status === 401
    ? new RejectedApiKeyError(error, operation)
    : error;
}

/** What a client needs from inputs or state. */
interface ClientSettings {
  readonly apiBaseUrl: string;
  readonly deleteBeforeReplace: boolean;
  readonly privacyPrincipal?: string;
  readonly privacyJustification?: string;
}

function clientFor(owner: object, settings: ClientSettings, operation: string): LemonClient {
  return createLemonClient({
    apiKey: resolveApiKey(configs.get(owner), operation),
    baseUrl: settings.apiBaseUrl,
    ...privacyOf(settings),
  });
}

/**
 * One POST. Ids are listed first so that, if the answer is lost after lemon.markets may have registered the
 * webhook, the new one can be told apart from older ones with the same url and events and adopted instead
 * of registering twice. When the list shows it was not registered, one more POST is safe.
 */
async function register(client: LemonClient, inputs: CheckedInputs): Promise<Webhook> {
  const before = await client.listWebhooks();
  const known = new Set(before.map((webhook) => webhook.id));
  for (let attempt = 1; ; attempt += 1) {
    let lost: LemonApiError;
    try {
      return await client.createWebhook({ url: inputs.url, events: inputs.events });
    } catch (error) {
      if (!(error instanceof LemonApiError && error.mayHaveCommitted))
        throw explainRefusal(error, inputs, before);
      lost = error;
    }
    const after = await listAfterLostAnswer(client, lost);
    const made = after.filter((webhook) => !known.has(webhook.id) && matches(webhook, inputs));
    const [only, ...others] = made;
    if (only !== undefined && others.length === 0) return only;
    if (only !== undefined)
      throw new UnconfirmedRegistrationError(
        made.map((webhook) => webhook.id),
        lost,
      );
    if (attempt === 2) throw new UnconfirmedRegistrationError([], lost);
  }
}

async function listAfterLostAnswer(client: LemonClient, lost: LemonApiError): Promise<Webhook[]> {
  try {
    return await client.listWebhooks();
  } catch (listError) {
    throw new UnconfirmedRegistrationError(undefined, lost, listError);
  }
}

/** A refusal of a second webhook for a URL that already has one gets an error naming the way out. */
function explainRefusal(error: unknown, inputs: CheckedInputs, before: readonly Webhook[]): unknown {
  if (!(error instanceof LemonApiError) || (error.status !== 409 && error.status !== 422)) return error;
  const holder = before.find((webhook) => normaliseUrl(webhook.url) === normaliseUrl(inputs.url));
  return holder === undefined ? error : new RegistrationConflictError(error, holder.id);
}

async function adopt(client: LemonClient, inputs: CheckedInputs, id: string): Promise<Webhook> {
  const webhook = (await client.listWebhooks()).find((candidate) => candidate.id === id);
  if (webhook === undefined) throw new AdoptionError(id, "does not exist for this API key");
  if (!matches(webhook, inputs)) {
    throw new AdoptionError(
      id,
      `has url/events that differ from the args (events: ${normaliseEvents(webhook.events).join(", ")})`,
    );
  }
  return webhook;
}

function matches(webhook: Webhook, inputs: CheckedInputs): boolean {
  const a = normaliseEvents(webhook.events);
  const b = normaliseEvents(inputs.events);
  return (
    normaliseUrl(webhook.url) === normaliseUrl(inputs.url) &&
    a.length === b.length &&
    a.every((type, index) => type === b[index])
  );
}

function outputsOf(settings: ClientSettings, webhook: Webhook): RegistrationOutputs {
  return {
    url: webhook.url,
    events: normaliseEvents(webhook.events),
    apiBaseUrl: settings.apiBaseUrl,
    deleteBeforeReplace: settings.deleteBeforeReplace,
    ...privacyOf(settings),
    webhookId: webhook.id,
    signatureSecret: webhook.signature_secret,
  } satisfies RegistrationOutputs;
}

/** Privacy header fields that are set; absent ones stay absent (the host cannot encode `undefined`). */
function privacyOf(settings: Pick<ClientSettings, "privacyPrincipal" | "privacyJustification">) {
  return {
    ...(settings.privacyPrincipal === undefined ? {} : { privacyPrincipal: settings.privacyPrincipal }),
    ...(settings.privacyJustification === undefined
      ? {}
      : { privacyJustification: settings.privacyJustification }),
  };
}

/** Client settings from recorded state (read, delete), tolerating state written by older versions. */
function stateSettings(props: Props): ClientSettings {
  const text = (key: string) => (typeof props[key] === "string" ? (props[key] as string) : undefined);
  const privacyPrincipal = text("privacyPrincipal");
  const privacyJustification = text("privacyJustification");
  return {
    apiBaseUrl: text("apiBaseUrl") ?? DEFAULT_API_BASE_URL,
    deleteBeforeReplace: props.deleteBeforeReplace === true,
    ...(privacyPrincipal === undefined ? {} : { privacyPrincipal }),
    ...(privacyJustification === undefined ? {} : { privacyJustification }),
  };
}

/** The engine sends checked inputs to create/update; checking again guards direct (sandbox) callers. */
function requireChecked(news: Props): CheckedInputs {
  const { inputs, failures } = checkRegistrationInputs(news);
  if (inputs === undefined) throw new InvalidInputsError(failures);
  return inputs;
}
