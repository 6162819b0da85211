/**
 * Shared setup of the engine-level tests: the serialized provider of a mocked program, an emulator, a
 * provider host configured with the emulator's key, and the engine's check → create sequence.
 */
import type { WebhookRegistrationArgs } from "../../components/registration";
import { type Emulator, startEmulator } from "../../emulator";
import { type Props, type ProviderHost, startProviderHost } from "./provider-host";
import { declareRegistration } from "./provider-mocks";

/** The API key the emulator accepts in these tests (a made-up value, recognisable when grepping). */
export const API_KEY = "lmk_test_key_5f0e2c9a41b7d3e8";
/** A receiver URL; the emulator never delivers in these tests (no events are emitted). */
export const RECEIVER_URL = "https://receiver.example.com/webhooks/lemon";

/** Serializes the provider the way `pulumi up` does: by declaring a WebhookRegistration in a program. */
export async function serializedProvider(args: Partial<WebhookRegistrationArgs> = {}): Promise<string> {
  const declared = await declareRegistration({ url: RECEIVER_URL, events: ["account.created"], ...args });
  return declared.provider;
}

/** An emulator plus a host configured with its key. */
export interface Fixture {
  readonly emu: Emulator;
  readonly host: ProviderHost;
  readonly provider: string;
  /** Engine sequence for a new resource: Check({}, news) then Create(checked inputs). */
  create(news: Props): Promise<{ id: string; properties: Props }>;
  close(): Promise<void>;
}

/** Starts emulator and host; `configure` is sent with `lemonmarkets:apiKey` = {@link API_KEY}. */
export async function startFixture(): Promise<Fixture> {
  const provider = await serializedProvider();
  const emu = await startEmulator({ apiKeys: [API_KEY] });
  const host = await startProviderHost();
  await host.configure({ "lemonmarkets:apiKey": API_KEY });
  return {
    emu,
    host,
    provider,
    async create(news) {
      const { inputs, failures } = await host.check({}, { ...news, __provider: provider });
      if (failures.length > 0) throw new Error(`check failed: ${JSON.stringify(failures)}`);
      return host.create(inputs);
    },
    async close() {
      await host.close();
      await emu.close();
    },
  };
}

/** Inputs of a registration against `emu`. */
export function registrationInputs(emu: Emulator, extra: Props = {}): Props {
  return {
    url: RECEIVER_URL,
    events: ["order.executed", "account.created"],
    apiBaseUrl: emu.baseUrl,
    ...extra,
  };
}

/** The emulator's API requests as `METHOD path` lines, in order. */
export function requestLines(emu: Emulator): string[] {
  return emu.requests.map((request) => `${request.method} ${request.path}`);
}
