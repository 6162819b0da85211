/**
 * Validation of `POST /v1/accounts` bodies against the `CreateAccountRequest` schema of the accounts
 * OpenAPI fragment, written out by hand because the emulator ships without the spec files or ajv.
 * `tests/emulator/account-request.test.ts` checks it agrees with ajv on that schema.
 *
 * One deliberate deviation: `customer.email` (schema `format: email`) only has to be a string, because the
 * published seed walkthrough (`webhooks-setup-guide.txt`) itself carries the scraped placeholder
 * `[email protected]` and that exact body must open an account.
 */
import { isCalendarDate, parseDateTimeMicros } from "./clock";
import { unprocessable } from "./errors";

type Json = unknown;
type Check = (value: Json, path: string) => string | undefined;

const GENDERS = ["diverse", "female", "male", "unknown"];
const MARITAL_STATUSES = ["single", "married", "unknown"];
const EMPLOYMENT_STATUSES = [
  "apprenticeship",
  "company_owner",
  "employed",
  "managing_director",
  "public_official",
  "retired",
  "self_employed",
  "student",
  "unemployed",
];
const ANNUAL_SALARIES = [
  "lt_50k_eur",
  "gte_50k_lt_75k_eur",
  "gte_75k_lt_100k_eur",
  "gte_100k_lt_150k_eur",
  "gte_150k_eur",
];
const SECTORS = [
  "agriculture",
  "commodities",
  "construction",
  "education",
  "financial_services",
  "gambling",
  "healthcare",
  "it",
  "jewellery_trading",
  "manufacturing",
  "precious_metals_trading",
  "professional_services",
  "public_sector",
  "real_estate",
  "retail",
  "service_industry",
  "sport",
  "tourism",
  "transport",
  "used_vehicles_trading",
  "weapons_trading",
  "other",
];

/** Length in code points, as JSON Schema counts `maxLength` (an emoji is one character, not two). */
function length(text: string): number {
  return [...text].length;
}

function string(min: number, max: number): Check {
  return (value, path) => {
    if (typeof value !== "string") return `${path} must be a string`;
    const size = length(value);
    if (size < min) return `${path} must be at least ${min} character(s) long`;
    if (size > max) return `${path} must be at most ${max} characters long`;
    return undefined;
  };
}

const anyString = string(0, Number.POSITIVE_INFINITY);
const countryCode: Check = (value, path) =>
  string(2, 2)(value, path) && `${path} must be a two-letter ISO 3166 country code such as "DE"`;

function oneOf(allowed: readonly string[]): Check {
  return (value, path) =>
    typeof value === "string" && allowed.includes(value)
      ? undefined
      : `${path} must be one of ${allowed.join(", ")}`;
}

const date: Check = (value, path) => {
  const match = typeof value === "string" ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) : null;
  return match && isCalendarDate(Number(match[1]), Number(match[2]), Number(match[3]))
    ? undefined
    : `${path} must be a date in YYYY-MM-DD form, e.g. "1964-08-13"`;
};

const dateTime: Check = (value, path) =>
  typeof value === "string" && parseDateTimeMicros(value) !== undefined
    ? undefined
    : `${path} must be an RFC 3339 date-time with offset, e.g. "2023-06-29T14:39:29Z"`;

const boolean: Check = (value, path) =>
  typeof value === "boolean" ? undefined : `${path} must be true or false`;

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function object(required: Record<string, Check>, optional: Record<string, Check> = {}): Check {
  return (value, path) => {
    if (!isObject(value)) return `${path} must be an object`;
    for (const [key, check] of Object.entries(required)) {
      if (!Object.hasOwn(value, key)) return `${path}.${key} is required`;
      const error = check(value[key], `${path}.${key}`);
      if (error) return error;
    }
    for (const [key, check] of Object.entries(optional)) {
      if (!Object.hasOwn(value, key)) continue;
      const error = check(value[key], `${path}.${key}`);
      if (error) return error;
    }
    return undefined;
  };
}

function array(item: Check, minItems: number): Check {
  return (value, path) => {
    if (!Array.isArray(value)) return `${path} must be an array`;
    if (value.length < minItems) return `${path} must have at least ${minItems} item(s)`;
    for (const [index, element] of value.entries()) {
      const error = item(element, `${path}[${index}]`);
      if (error) return error;
    }
    return undefined;
  };
}

const address = object(
  { line_1: string(0, 128), postal_code: string(0, 50), city: string(0, 150), country: countryCode },
  { line_2: string(0, 128) },
);

const fullCustomer = object(
  {
    firstname: string(0, 100),
    lastname: string(0, 100),
    date_of_birth: date,
    place_of_birth: object({ city: string(0, 255), country: countryCode }),
    nationalities: array(countryCode, 1),
    phone_number: string(0, 45),
    email: anyString,
    registered_address: address,
    tax_residencies: array(
      object({ country: countryCode }, { tax_identification_number: string(1, 255) }),
      1,
    ),
    employment: object({
      status: oneOf(EMPLOYMENT_STATUSES),
      annual_salary: oneOf(ANNUAL_SALARIES),
      sector: oneOf(SECTORS),
    }),
  },
  { gender: oneOf(GENDERS), marital_status: oneOf(MARITAL_STATUSES) },
);

const customerReference = (kind: "person" | "business"): Check =>
  object({ type: oneOf([kind]), id: string(1, 200) });

/** The three customer shapes, tried like JSON Schema's `oneOf`: exactly one must match. */
const customer: Check = (value, path) => {
  const shapes = {
    full: fullCustomer,
    person: customerReference("person"),
    business: customerReference("business"),
  };
  const errors = Object.fromEntries(
    Object.entries(shapes).map(([name, check]) => [name, check(value, path)]),
  );
  const matches = Object.values(errors).filter((error) => error === undefined).length;
  if (matches === 1) return undefined;
  if (matches > 1) {
    return `${path} matches more than one customer shape; send either full person details or only {type, id}`;
  }
  const claimed = isObject(value) ? value.type : undefined;
  return claimed === "person" || claimed === "business" ? errors[claimed] : errors.full;
};

const createAccountRequest = object(
  {
    customer,
    accepted_agreements: array(
      object(
        { agreement_id: string(0, 255), accepted_at: dateTime },
        { legal_representative: string(0, 255) },
      ),
      1,
    ),
    declaration_of_acting_on_own_account: boolean,
  },
  {
    metadata: (value, path) =>
      isObject(value) && Object.values(value).every((entry) => typeof entry === "string")
        ? undefined
        : `${path} must be an object of string values`,
  },
);

/** A full customer as sent (after validation). */
export interface FullCustomerRequest {
  readonly [field: string]: Json;
}

/** A customer given by reference to an existing person or business. */
export interface CustomerReference {
  readonly type: "person" | "business";
  readonly id: string;
}

export interface CreateAccountRequest {
  readonly customer: FullCustomerRequest | CustomerReference;
  readonly accepted_agreements: readonly {
    readonly agreement_id: string;
    readonly accepted_at: string;
    readonly legal_representative?: string;
  }[];
  readonly declaration_of_acting_on_own_account: boolean;
  readonly metadata?: Readonly<Record<string, string>>;
}

/** The first problem with `body` as a `CreateAccountRequest`, or `undefined` when it is valid. */
export function createAccountRequestProblem(body: Json): string | undefined {
  return createAccountRequest(body, "body");
}

/** Returns `body` typed when valid; 422 naming the first invalid field otherwise. */
export function parseCreateAccountRequest(body: Json): CreateAccountRequest {
  const problem = createAccountRequestProblem(body);
  if (problem) throw unprocessable(problem);
  return body as CreateAccountRequest;
}

/** For a validated request: true when the customer is given by reference rather than in full. */
export function isCustomerReference(value: CreateAccountRequest["customer"]): value is CustomerReference {
  return fullCustomer(value, "customer") !== undefined;
}
