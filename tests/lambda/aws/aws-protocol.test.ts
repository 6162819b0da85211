/**
 * Our hand-written AWS JSON protocol details, checked against the AWS SDK v3 (a devDependency) as the oracle:
 * where a region's endpoints live (the SDK's partitions data and the services' endpoint rule sets) and how an
 * error response names its type (the SDK's awsJson error deserialisation).
 */
import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { loadJsonRpcErrorCode } from "@smithy/core/protocols";
import { readAwsEnvironment } from "../../../lambda/aws/environment";
import { AWS_PARTITIONS } from "../../../lambda/aws/partitions";
import { DependencyUnavailableError } from "../../../lambda/core/errors";
import { clientFor } from "../../support/local-aws";

const CREDENTIALS_ENV = { AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "secret" };

interface SdkPartition {
  readonly id: string;
  readonly regionRegex: string;
  readonly outputs: { readonly dnsSuffix: string };
  readonly regions: Readonly<Record<string, unknown>>;
}

/** The SDK's own partitions file, read from node_modules now (not a copy of it). */
function sdkPartitions(): readonly SdkPartition[] {
  const core = path.dirname(require.resolve("@aws-sdk/core/package.json"));
  const file = path.join(core, "dist-es/submodules/client/util-endpoints/lib/aws/partitions.js");
  const source = readFileSync(file, "utf8");
  const prefix = "export const partitionsInfo = ";
  expect(source.startsWith(prefix)).toBe(true);
  const json = source.slice(prefix.length).trim().replace(/;$/, "");
  return (JSON.parse(json) as { partitions: SdkPartition[] }).partitions;
}

/** Every region the SDK lists, except the `*-global` pseudo-regions no Lambda function runs in. */
function sdkRegions(): string[] {
  return sdkPartitions().flatMap((partition) =>
    Object.keys(partition.regions).filter((region) => !region.endsWith("-global")),
  );
}

/** The URL the SDK's client would call for `region` (its endpoint rule set, default settings). */
function sdkEndpoints(region: string): Record<"secretsManager" | "dynamodb" | "eventBridge", string> {
  const url = (client: {
    config: { endpointProvider: (params: object) => { url: URL } };
    destroy(): void;
  }) => {
    const href = client.config.endpointProvider({ Region: region, UseFIPS: false, UseDualStack: false }).url
      .href;
    client.destroy();
    return href;
  };
  return {
    secretsManager: url(new SecretsManagerClient({ region }) as never),
    dynamodb: url(new DynamoDBClient({ region }) as never),
    eventBridge: url(new EventBridgeClient({ region }) as never),
  };
}

function ourEndpoints(region: string): Record<"secretsManager" | "dynamodb" | "eventBridge", string> {
  const { endpoints } = readAwsEnvironment({ ...CREDENTIALS_ENV, AWS_REGION: region });
  return {
    secretsManager: endpoints.secretsManager.href,
    dynamodb: endpoints.dynamodb.href,
    eventBridge: endpoints.eventBridge.href,
  };
}

describe("Default endpoints: one partition table (lambda/aws/partitions.ts)", () => {
  it("is the SDK's partitions file: same partitions, in the same order, same region regex and DNS suffix", () => {
    // Prepare
    const expected = sdkPartitions().map((partition) => ({
      id: partition.id,
      regionRegex: partition.regionRegex,
      dnsSuffix: partition.outputs.dnsSuffix,
    }));

    // Assess
    expect(expected.map((partition) => partition.id)).toEqual([
      "aws",
      "aws-cn",
      "aws-eusc",
      "aws-iso",
      "aws-iso-b",
      "aws-iso-e",
      "aws-iso-f",
      "aws-us-gov",
    ]);
    expect(AWS_PARTITIONS).toEqual(expected);
  });

  it.each([
    ["eu-central-1", "amazonaws.com"],
    ["cn-north-1", "amazonaws.com.cn"],
    ["us-gov-west-1", "amazonaws.com"],
    ["eusc-de-east-1", "amazonaws.eu"],
    ["us-iso-east-1", "c2s.ic.gov"],
    ["us-isob-east-1", "sc2s.sgov.gov"],
    ["eu-isoe-west-1", "cloud.adc-e.uk"],
    ["us-isof-south-1", "csp.hci.ic.gov"],
    // Not in any partition's pattern: the SDK falls back to `aws`, and so do we.
    ["xx-future-1", "amazonaws.com"],
  ])("resolves %s to the %s endpoints of all three services", (region, dnsSuffix) => {
    // Act
    const endpoints = ourEndpoints(region);

    // Assess
    expect(endpoints).toEqual({
      secretsManager: `https://secretsmanager.${region}.${dnsSuffix}/`,
      dynamodb: `https://dynamodb.${region}.${dnsSuffix}/`,
      eventBridge: `https://events.${region}.${dnsSuffix}/`,
    });
  });

  it("gives, for every region the SDK lists, exactly the URL the SDK's own clients would call", () => {
    // Prepare
    const regions = sdkRegions();

    // Act
    const mismatches = regions
      .map((region) => ({ region, ours: ourEndpoints(region), sdk: sdkEndpoints(region) }))
      .filter(({ ours, sdk }) => JSON.stringify(ours) !== JSON.stringify(sdk));

    // Assess
    expect(regions.length).toBeGreaterThan(40);
    expect(regions).toContain("eusc-de-east-1");
    expect(mismatches).toEqual([]);
  });

  it("still prefers AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL, over the partition's endpoint", () => {
    // Act
    const { endpoints } = readAwsEnvironment({
      ...CREDENTIALS_ENV,
      AWS_REGION: "eusc-de-east-1",
      AWS_ENDPOINT_URL: "http://127.0.0.1:4566",
      AWS_ENDPOINT_URL_DYNAMODB: "http://127.0.0.1:8000",
    });

    // Assess
    expect(endpoints.secretsManager.href).toBe("http://127.0.0.1:4566/");
    expect(endpoints.dynamodb.href).toBe("http://127.0.0.1:8000/");
    expect(endpoints.eventBridge.href).toBe("http://127.0.0.1:4566/");
  });
});

interface RawReply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: string;
}

/** A server that answers every request with `reply`, as an AWS JSON endpoint would. */
async function replying(reply: RawReply): Promise<{ endpoint: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(reply.status, { "content-type": "application/x-amz-json-1.1", ...reply.headers });
      res.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The error type our client reports for `reply` (the failure's `code`). */
async function ourErrorType(reply: RawReply): Promise<string> {
  const server = await replying(reply);
  try {
    const error = await clientFor("eventbridge", server.endpoint)
      .call("PutEvents", { Entries: [] })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(DependencyUnavailableError);
    return (error as DependencyUnavailableError).code;
  } finally {
    await server.close();
  }
}

/** The error type the SDK's awsJson deserialiser reads from the same reply. */
function sdkErrorType(reply: RawReply): string | undefined {
  const headers: IncomingHttpHeaders = Object.fromEntries(
    Object.entries(reply.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
  );
  return loadJsonRpcErrorCode({ headers } as never, JSON.parse(reply.body));
}

describe("Error responses: the error type is read where the SDK reads it", () => {
  const URL_SUFFIX = ":http://internal.amazon.com/coral/com.amazon.coral.validate/";
  it.each<[string, RawReply, string]>([
    [
      "__type with a namespace",
      { status: 500, body: '{"__type":"com.amazonaws.events#InternalException","message":"oops"}' },
      "InternalException",
    ],
    [
      "code only (Smithy awsJson)",
      { status: 400, body: '{"code":"ResourceNotFoundException","message":"no such bus"}' },
      "ResourceNotFoundException",
    ],
    [
      "Code, any letter case, with a namespace",
      { status: 400, body: '{"Code":"aws.protocoltests.json10#ValidationException"}' },
      "ValidationException",
    ],
    [
      "the X-Amzn-Errortype header only, with namespace and URL suffix",
      {
        status: 400,
        headers: { "X-Amzn-Errortype": `aws.protocoltests.restjson#FooError${URL_SUFFIX}` },
        body: "{}",
      },
      "FooError",
    ],
    ["__type before code", { status: 400, body: '{"__type":"FooError","code":"BarError"}' }, "FooError"],
    [
      "code before the header",
      { status: 400, headers: { "X-Amzn-Errortype": "BazError" }, body: '{"code":"BarError"}' },
      "BarError",
    ],
    [
      "a repeated header joined with a comma: the first value",
      { status: 400, headers: { "X-Amzn-Errortype": "FooError, BarError" }, body: "{}" },
      "FooError",
    ],
    [
      "__type with a URL suffix",
      { status: 400, body: `{"__type":"ThrottlingException${URL_SUFFIX}"}` },
      "ThrottlingException",
    ],
  ])("%s", async (_label, reply, expected) => {
    // Act
    const ours = await ourErrorType(reply);

    // Assess
    expect(sdkErrorType(reply)).toBe(expected);
    expect(ours).toBe(expected);
  });

  it("names a reply without any error type by its status (the SDK would say Unknown)", async () => {
    // Act
    const ours = await ourErrorType({ status: 502, body: "{}" });

    // Assess
    expect(sdkErrorType({ status: 502, body: "{}" })).toBeUndefined();
    expect(ours).toBe("http-502");
  });
});
