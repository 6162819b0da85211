import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { installMocks, physicalName, promiseOf, recorded, resource, settle } from "../support/pulumi-mocks";

const ROOT = resolve(__dirname, "..", "..");

interface Program {
  readonly webhookUrl: pulumi.Output<string>;
  readonly bus: pulumi.Output<string>;
}
let program: Program;

beforeAll(async () => {
  await installMocks(true);
  program = (await import("./program")) as unknown as Program;
  await settle();
});

describe("Program: a consumer importing lemon-webhooks by name", () => {
  it("resolves the package name to the module package.json publishes", () => {
    // Prepare: tsc compiles components/index.ts (rootDir ".") to dist/components/index.js
    const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));

    // Assess
    expect(manifest.name).toBe("lemon-webhooks");
    expect(manifest.main).toBe("dist/components/index.js");
    expect(manifest.exports["."]).toEqual({
      types: "./dist/components/index.d.ts",
      default: "./dist/components/index.js",
    });
    expect(require.resolve("lemon-webhooks")).toBe(join(ROOT, "components", "index.ts"));
  });

  it("builds the receiver and the consumer's subscription under mocks", async () => {
    // Assess
    expect(recorded.filter((r) => r.type === "lemon-webhooks:index:Receiver").map((r) => r.name)).toEqual([
      "shop",
    ]);
    expect(recorded.filter((r) => r.name.startsWith("shop-"))).toHaveLength(35);
    expect(resource("aws:lambda/permission:Permission", "shop-orders-invoke").inputs.function).toBe(
      physicalName("orders"),
    );
    expect(resource("aws:cloudwatch/eventRule:EventRule", "shop-orders-rule").inputs.eventPattern).toBe(
      '{"source":["lemon.markets"],"detail-type":["order.executed"]}',
    );
    expect(await promiseOf(program.webhookUrl)).toBe(
      "https://shop-api-id.execute-api.eu-central-1.amazonaws.com/webhooks/lemon-markets",
    );
    expect(await promiseOf(program.bus)).toBe(physicalName("shop-bus"));
  });
});
