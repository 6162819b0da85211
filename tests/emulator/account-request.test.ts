import fc from "fast-check";
import { createAccountRequestProblem } from "../../emulator";
import { SEED_ACCOUNT_BODY } from "../support/emulator";
import { createAjv, schemaValidator } from "../support/openapi";

// The spec's schema, with the one documented deviation: any string is an email (see account-request.ts).
const schemaAccepts = schemaValidator(createAjv({ lenientEmail: true }), "accounts", "CreateAccountRequest");
const SEED = JSON.parse(SEED_ACCOUNT_BODY) as Record<string, unknown>;

type Path = (string | number)[];

/** Every path in a JSON value (objects' keys and arrays' indices), the root excluded. */
function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const path = [...prefix, Array.isArray(value) ? Number(key) : key];
    return [path, ...pathsOf(child, path)];
  });
}

/** Optional fields the seed leaves out, so mutations can add them too. */
const ABSENT_OPTIONALS: Path[] = [
  ["metadata"],
  ["customer", "registered_address", "line_2"],
  ["accepted_agreements", 0, "legal_representative"],
];

const PATHS = [...pathsOf(SEED), ...ABSENT_OPTIONALS];

const POOL: unknown[] = [
  null,
  true,
  0,
  7.5,
  "",
  "x",
  "DE",
  "DEU",
  // Every maxLength of the schema and one past it.
  ...[45, 46, 50, 51, 100, 101, 128, 129, 150, 151, 200, 201, 255, 256].map((length) => "a".repeat(length)),
  "😀".repeat(100),
  "😀".repeat(101),
  [],
  ["DE"],
  ["DEU"],
  {},
  "1964-08-13",
  "1964-02-30",
  "2024-02-29",
  "2023-02-29",
  "2023-06-29T14:39:29Z",
  "2023-06-29T14:39:29",
  "2023-06-29 14:39:29.123456+01",
  "2016-12-31T23:59:60Z",
  "2023-06-29T14:39:60Z",
  "female",
  "married",
  "employed",
  "gte_150k_eur",
  "it",
  "person",
  { type: "person", id: "pers_1" },
  { type: "business", id: "" },
  { type: "business", id: "le_1" },
  { city: "Berlin", country: "DE" },
  [{ country: "DE" }],
  [{ agreement_id: "agr_1", accepted_at: "2023-06-29T14:39:29Z" }],
  { origin: "x" },
  { origin: 1 },
];

type Mutation = { path: Path; value: unknown } | { path: Path; remove: true };

/** The object or array holding the last key of `path`, when every step on the way exists. */
function parentOf(root: unknown, path: Path): Record<string | number, unknown> | undefined {
  let node = root;
  for (const key of path.slice(0, -1)) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return typeof node === "object" && node !== null ? (node as Record<string | number, unknown>) : undefined;
}

function mutate(base: unknown, mutations: readonly Mutation[]): unknown {
  const copy = structuredClone(base);
  for (const mutation of mutations) {
    const parent = parentOf(copy, mutation.path);
    if (!parent) continue;
    const last = mutation.path[mutation.path.length - 1]!;
    if ("remove" in mutation) delete parent[last];
    else parent[last] = structuredClone(mutation.value);
  }
  return copy;
}

const mutationArbitrary: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ path: fc.constantFrom(...PATHS), value: fc.constantFrom(...POOL) }),
  fc.record({ path: fc.constantFrom(...PATHS), remove: fc.constant(true as const) }),
);

describe("Function: createAccountRequestProblem", () => {
  it("accepts the seed walkthrough's body exactly as published", () => {
    expect(createAccountRequestProblem(SEED)).toBeUndefined();
  });

  it("agrees with ajv on the spec's schema for every single-field change of the seed body", () => {
    // Prepare
    const singles: Mutation[] = PATHS.flatMap((path) => [
      { path, remove: true as const },
      ...POOL.map((value) => ({ path, value })),
    ]);

    // Act
    const disagreements = singles.filter((mutation) => {
      const body = mutate(SEED, [mutation]);
      return (createAccountRequestProblem(body) === undefined) !== schemaAccepts(body);
    });

    // Assess
    // The seed has 34 fields and array items, plus 3 optionals it leaves out: every one is varied.
    expect(PATHS.length).toBe(37);
    expect(disagreements).toEqual([]);
  });

  it("agrees with ajv on the spec's schema for any combination of changes of the seed body", () => {
    fc.assert(
      fc.property(fc.array(mutationArbitrary, { minLength: 1, maxLength: 3 }), (mutations) => {
        // Prepare
        const body = mutate(SEED, mutations);

        // Act
        const problem = createAccountRequestProblem(body);

        // Assess
        expect({ valid: problem === undefined, problem }).toEqual({
          valid: schemaAccepts(body),
          problem: schemaAccepts(body) ? undefined : expect.any(String),
        });
      }),
      { numRuns: 300 },
    );
  });

  it.each<[string, Mutation[], string]>([
    ["a missing customer", [{ path: ["customer"], remove: true }], "body.customer is required"],
    [
      "an unknown salary band",
      [{ path: ["customer", "employment", "annual_salary"], value: "lots" }],
      "body.customer.employment.annual_salary must be one of lt_50k_eur, gte_50k_lt_75k_eur",
    ],
    [
      "a three-letter nationality",
      [{ path: ["customer", "nationalities", 0], value: "DEU" }],
      'body.customer.nationalities[0] must be a two-letter ISO 3166 country code such as "DE"',
    ],
    [
      "no accepted agreements",
      [{ path: ["accepted_agreements"], value: [] }],
      "body.accepted_agreements must have at least 1 item(s)",
    ],
    [
      "an acceptance time without offset",
      [{ path: ["accepted_agreements", 1, "accepted_at"], value: "2023-06-29T14:39:29" }],
      'body.accepted_agreements[1].accepted_at must be an RFC 3339 date-time with offset, e.g. "2023-06-29T14:39:29Z"',
    ],
    [
      "an impossible birth date",
      [{ path: ["customer", "date_of_birth"], value: "1964-02-30" }],
      'body.customer.date_of_birth must be a date in YYYY-MM-DD form, e.g. "1964-08-13"',
    ],
    [
      "a declaration given as a string",
      [{ path: ["declaration_of_acting_on_own_account"], value: "yes" }],
      "body.declaration_of_acting_on_own_account must be true or false",
    ],
    [
      "a person reference with an empty id",
      [{ path: ["customer"], value: { type: "person", id: "" } }],
      "body.customer.id must be at least 1 character(s) long",
    ],
    [
      "a full customer also claiming to be a person reference",
      [
        { path: ["customer", "type"], value: "person" },
        { path: ["customer", "id"], value: "pers_1" },
      ],
      "body.customer matches more than one customer shape",
    ],
  ])("names the field for %s", (_label, mutations, message) => {
    // Act
    const problem = createAccountRequestProblem(mutate(SEED, mutations));

    // Assess
    expect(problem).toContain(message);
  });
});
