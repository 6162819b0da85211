/**
 * The OpenAPI fragments in spec/lemon-markets/ as ajv validators. OpenAPI 3.1 schemas are JSON Schema
 * 2020-12, so each fragment is added whole under an `$id` and `#/components/schemas/...` refs resolve
 * inside it.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import Ajv2020, { type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { parse } from "yaml";

export type Fragment = "events" | "accounts";

const FILES: Record<Fragment, string> = {
  events: "lemonmarkets-events-webhooks-api-openapi.yml",
  accounts: "lemonmarkets-accounts-general-api-openapi.yml",
};

interface OpenApiDocument {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>
  >;
  components: { schemas: Record<string, Record<string, unknown>> };
}

const loaded = new Map<Fragment, OpenApiDocument>();

/** The parsed fragment (parsed once per test file; callers must not mutate it). */
export function loadFragment(fragment: Fragment): OpenApiDocument {
  let document = loaded.get(fragment);
  if (!document) {
    const file = path.join(__dirname, "../../spec/lemon-markets", FILES[fragment]);
    document = parse(readFileSync(file, "utf8")) as OpenApiDocument;
    loaded.set(fragment, document);
  }
  return document;
}

/**
 * The one correction applied before validating: `Pagination.next_cursor` is declared `type: string`, yet the
 * spec's own examples (and the conventions file: "absent/null on the last page") show `null` on the last
 * page. The emulator answers `null` as the real API does; the conformance test proves the inconsistency.
 */
function withNullableCursor(document: OpenApiDocument): OpenApiDocument {
  const copy = structuredClone(document);
  const pagination = copy.components.schemas.Pagination as {
    properties: { next_cursor: Record<string, unknown> };
  };
  pagination.properties.next_cursor = { ...pagination.properties.next_cursor, type: ["string", "null"] };
  return copy;
}

export interface AjvOptions {
  /** Apply {@link withNullableCursor}. Default true. */
  nullableCursor?: boolean;
  /** Accept any string as `format: email` (the seed guide's scraped address). Default false. */
  lenientEmail?: boolean;
}

/** An ajv instance holding both fragments, ids `events` and `accounts`. */
export function createAjv(options: AjvOptions = {}): Ajv2020 {
  // strict: false because the fragments carry OpenAPI-only keywords (example, paths, info) next to schemas.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  if (options.lenientEmail) ajv.addFormat("email", () => true);
  for (const fragment of Object.keys(FILES) as Fragment[]) {
    const document = loadFragment(fragment);
    ajv.addSchema(options.nullableCursor === false ? document : withNullableCursor(document), fragment);
  }
  return ajv;
}

export function schemaValidator(ajv: Ajv2020, fragment: Fragment, name: string): ValidateFunction {
  const validate = ajv.getSchema(`${fragment}#/components/schemas/${name}`);
  if (!validate) throw new Error(`no schema ${name} in ${fragment}`);
  return validate;
}

/**
 * The validator of the response an operation declares for `status` (falling back to `5XX` for 5xx), or
 * `undefined` when the operation declares that status without a body (204). Throws for an undeclared status.
 */
export function responseValidator(
  ajv: Ajv2020,
  fragment: Fragment,
  route: { path: string; method: string; status: number },
): ValidateFunction | undefined {
  const operation = loadFragment(fragment).paths[route.path]?.[route.method.toLowerCase()];
  if (!operation) throw new Error(`${fragment} declares no ${route.method} ${route.path}`);
  const declared =
    operation.responses[String(route.status)] ??
    (route.status >= 500 ? operation.responses["5XX"] : undefined);
  if (!declared) throw new Error(`${route.method} ${route.path} declares no ${route.status} response`);
  const schema = declared.content?.["application/json"]?.schema;
  if (!schema) return undefined;
  const pointer = (schema as { $ref: string }).$ref;
  return ajv.getSchema(`${fragment}${pointer}`);
}
