import * as pulumi from "@pulumi/pulumi";
import { withSecretOutputs } from "../../../components/registration";
import { declareRegistration, MOCK_SIGNATURE_SECRET, MOCK_WEBHOOK_ID, promiseOf } from "../../support/provider-mocks";

describe("Class: WebhookRegistration (mocked engine)", () => {
  let warn: jest.SpyInstance;

  beforeEach(() => {
    warn = jest.spyOn(pulumi.log, "warn").mockResolvedValue();
  });

  afterEach(() => {
    warn.mockRestore();
  });

  it("registers a dynamic resource asking the engine to keep signatureSecret secret", async () => {
    // Act
    const declared = await declareRegistration({
      url: "https://hooks.example.com/lemon",
      events: ["account.created"],
    });

    // Assess
    expect(declared.type).toBe("pulumi-nodejs:dynamic/lemon-webhooks:WebhookRegistration");
    expect(declared.additionalSecretOutputs).toEqual(["signatureSecret"]);
    expect(await pulumi.isSecret(declared.resource.signatureSecret)).toBe(true);
    expect(await promiseOf(declared.resource.signatureSecret)).toBe(MOCK_SIGNATURE_SECRET);
    expect(await pulumi.isSecret(declared.resource.webhookId)).toBe(false);
    expect(await promiseOf(declared.resource.webhookId)).toBe(MOCK_WEBHOOK_ID);
  });

  it("sends only the given inputs and the serialized provider, nothing undefined", async () => {
    // Act
    const declared = await declareRegistration({
      url: pulumi.output("https://hooks.example.com/lemon"),
      events: [pulumi.output("order.executed"), "account.created"],
      privacyPrincipal: "ops",
      deleteBeforeReplace: true,
    });

    // Assess
    expect(declared.inputs).toEqual({
      __provider: declared.provider,
      url: "https://hooks.example.com/lemon",
      events: ["order.executed", "account.created"],
      privacyPrincipal: "ops",
      deleteBeforeReplace: true,
    });
    expect(declared.provider.startsWith("exports.handler = __f0;")).toBe(true);
  });

  it("keeps the user's additionalSecretOutputs and other options", async () => {
    // Act
    const declared = await declareRegistration(
      { url: "https://hooks.example.com/lemon", events: ["account.created"] },
      { additionalSecretOutputs: ["url", "signatureSecret"], protect: false },
    );

    // Assess
    expect(declared.additionalSecretOutputs).toEqual(["url", "signatureSecret"]);
    expect(await pulumi.isSecret(declared.resource.url)).toBe(true);
  });

  it("warns once per unpublished event type, on the resource", async () => {
    // Act
    const declared = await declareRegistration({
      url: "https://hooks.example.com/lemon",
      events: ["account.created", "portfolio.rebalanced"],
    });
    await promiseOf(declared.resource.events);

    // Assess
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith(
      'events: "portfolio.rebalanced" is not in the published lemon.markets event types known to this package; it is registered as given (lemon.markets adds types) — check the spelling if that is unexpected',
      declared.resource,
    );
  });

  it("does not warn for published event types", async () => {
    // Act
    const declared = await declareRegistration({
      url: "https://hooks.example.com/lemon",
      events: ["account.created"],
    });
    await promiseOf(declared.resource.events);

    // Assess
    expect(warn).not.toHaveBeenCalled();
  });
});

describe("Function: withSecretOutputs", () => {
  it("adds signatureSecret once and leaves other options alone", () => {
    expect(withSecretOutputs({})).toEqual({ additionalSecretOutputs: ["signatureSecret"] });
    expect(withSecretOutputs({ additionalSecretOutputs: ["signatureSecret"], retainOnDelete: true })).toEqual(
      {
        additionalSecretOutputs: ["signatureSecret"],
        retainOnDelete: true,
      },
    );
  });
});
