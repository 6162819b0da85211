/**
 * The public API is a decision, not a side effect: this test lists every name `lemon-webhooks` exports (values
 * and types, read with the TypeScript compiler from components/index.ts), so a new export fails here until it is
 * added on purpose, and every name must be documented in the README's "Public API" section.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

const ROOT = join(__dirname, "..", "..");

function exportedNames(entry: string): { readonly values: string[]; readonly types: string[] } {
  const program = ts.createProgram([entry], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true,
    resolveJsonModule: true,
    skipLibCheck: true,
    noEmit: true,
    types: ["node"],
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  if (source === undefined) throw new Error(`${entry} is not part of the program`);
  const module = checker.getSymbolAtLocation(source);
  if (module === undefined) throw new Error(`${entry} is not a module`);
  const values: string[] = [];
  const types: string[] = [];
  for (const symbol of checker.getExportsOfModule(module)) {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    (target.flags & ts.SymbolFlags.Value ? values : types).push(symbol.getName());
  }
  return { values: values.sort(), types: types.sort() };
}

const MAIN = join(ROOT, "components", "index.ts");

describe("Package: the public API of lemon-webhooks", () => {
  const api = exportedNames(MAIN);

  it("exports exactly these values", () => {
    // Assess
    expect(api.values).toEqual([
      "AdoptionError",
      "EVENT_SOURCE",
      "InvalidInputsError",
      "LemonEventReconciler",
      "LemonWebhookReceiver",
      "MissingApiKeyError",
      "PUBLISHED_EVENT_TYPES",
      "RECEIVER_DEFAULTS",
      "RECONCILER_DEFAULTS",
      "ReceiverArgsError",
      "ReconcilerArgsError",
      "RegistrationConflictError",
      "RejectedApiKeyError",
      "SIGNATURE_PRESET_NAMES",
      "SignatureSchemeError",
      "UnconfirmedRegistrationError",
      "WebhookRegistration",
      "formatSignatureScheme",
      "isPublishedEventType",
      "parseSignatureScheme",
    ]);
  });

  it("exports exactly these types", () => {
    // Assess
    expect(api.types).toEqual([
      "ArnTarget",
      "ExistingEventBus",
      "LemonEvent",
      "LemonEventReconcilerArgs",
      "LemonWebhookReceiverArgs",
      "PublishedEventType",
      "ReceiverArgs",
      "ReceiverReconcilerOptions",
      "ReceiverThrottling",
      "RegistrationOutputs",
      "SignaturePresetName",
      "SignatureScheme",
      "SignatureSchemeInput",
      "Subscription",
      "SubscriptionArgs",
      "SubscriptionTarget",
      "WebhookRegistrationArgs",
    ]);
  });

  it("exports values at run time exactly as declared", () => {
    // Act
    const runtime = Object.keys(require("../../components")).sort();
    // Assess
    expect(runtime).toEqual(api.values);
  });

  it("documents every exported name in the README's Public API section", () => {
    // Prepare
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const start = readme.indexOf("## Public API");
    const section = readme.slice(start, readme.indexOf("\n## ", start + 1));
    // Act
    const undocumented = [...api.values, ...api.types].filter((name) => !section.includes(`\`${name}\``));
    // Assess
    expect(start).toBeGreaterThan(-1);
    expect(undocumented).toEqual([]);
  });
});

describe("Package: the lemon-webhooks/lemon-api subpath", () => {
  const api = exportedNames(join(ROOT, "components", "lemon-api", "index.ts"));

  it("exports exactly the client, its options, errors and the API's shapes", () => {
    // Assess
    expect(api.values).toEqual([
      "DEFAULT_PRIVACY_JUSTIFICATION",
      "DEFAULT_PRIVACY_PRINCIPAL",
      "DEFAULT_RETRY_POLICY",
      "DEFAULT_TIMEOUT_MS",
      "DEFAULT_USER_AGENT",
      "EVENT_CONTEXT_FILTERS",
      "LemonApiError",
      "MAX_PAGE_SIZE",
      "PRODUCTION_BASE_URL",
      "PUBLISHED_EVENT_TYPES",
      "SANDBOX_BASE_URL",
      "createLemonClient",
      "isPublishedEventType",
    ]);
    expect(api.types).toEqual([
      "CreateWebhookInput",
      "EventContextFilter",
      "EventsPage",
      "LemonApiErrorDetails",
      "LemonClient",
      "LemonClientOptions",
      "LemonErrorKind",
      "LemonEvent",
      "LemonOperation",
      "ListEventsQuery",
      "ListWebhooksOptions",
      "Page",
      "PublishedEventType",
      "RetryPolicy",
      "Webhook",
    ]);
  });

  it("is the package's exports entry for ./lemon-api, built from this file", () => {
    // Prepare
    const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      readonly exports: Record<string, unknown>;
    };
    // Assess
    expect(Object.keys(manifest.exports).sort()).toEqual([".", "./lemon-api", "./package.json"]);
    expect(manifest.exports["./lemon-api"]).toEqual({
      types: "./dist/components/lemon-api/index.d.ts",
      default: "./dist/components/lemon-api/index.js",
    });
  });
});
