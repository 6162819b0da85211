/**
 * The seed walkthrough's request, verbatim from spec/lemon-markets/webhooks-setup-guide.txt ("Trigger the
 * Webhook"), so the sandbox replays exactly what lemon.markets' guide does.
 *
 * One deviation: the guide's copy has the e-mail address obfuscated by its web host ("[email protected]");
 * we use the address of the same customer in the accounts OpenAPI example (`erika.mustermann@example.com`).
 */

/**
 * The guide's data-privacy headers. `nobody` / `webhook-test` say what this traffic is (nobody's data is read,
 * a webhook test); the sandbox uses them for registration too, as the guide does.
 */
export const GUIDE_PRIVACY = { principal: "nobody", justification: "webhook-test" } as const;

/** Erika Mustermann's account application, the body of the guide's `POST /v1/accounts`. */
export const ERIKA_MUSTERMANN_ACCOUNT = {
  accepted_agreements: [
    { accepted_at: "2023-06-29T14:39:29Z", agreement_id: "agr_9902271f791d413aad781763c61b9bb0" },
    { accepted_at: "2023-06-29T14:39:29Z", agreement_id: "agr_8ec894e1ec764a339e172292dff9aeff" },
  ],
  declaration_of_acting_on_own_account: true,
  customer: {
    date_of_birth: "1964-08-13",
    email: "erika.mustermann@example.com",
    employment: { annual_salary: "gte_50k_lt_75k_eur", sector: "public_sector", status: "employed" },
    firstname: "Erika",
    gender: "female",
    lastname: "Mustermann",
    marital_status: "married",
    nationalities: ["DE"],
    phone_number: "+49172997318",
    place_of_birth: { city: "Berlin", country: "DE" },
    registered_address: { city: "Köln", country: "DE", line_1: "Heidestraße 17", postal_code: "51147" },
    tax_residencies: [{ country: "DE", tax_identification_number: "123/456/78901" }],
  },
} as const;

/** The guide's headers for `POST /v1/accounts` (its `charset=utf8` kept: the body has ö and ß). */
export function guideAccountHeaders(apiKey: string): Record<string, string> {
  return {
    "Content-Type": "application/json; charset=utf8",
    Authorization: `Bearer ${apiKey}`,
    "LMG-Data-Privacy-Access-Principal": GUIDE_PRIVACY.principal,
    "LMG-Data-Privacy-Access-Justification": GUIDE_PRIVACY.justification,
  };
}
