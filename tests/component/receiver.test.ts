import * as pulumi from "@pulumi/pulumi";
import { LemonWebhookReceiver, unpublishedEventWarnings } from "../../components";
import {
  ACCOUNT,
  dependencies,
  fakeBundleDir,
  installMocks,
  invokes,
  KNOWN_WEBHOOK_ID,
  options,
  physicalName,
  promiseOf,
  REGION,
  recorded,
  registeredUrns,
  resetRecords,
  resource,
  settle,
} from "./harness";

const BUNDLE = fakeBundleDir();
const PARENT = "lemon-webhooks:index:Receiver";
const SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${physicalName("lemon-signature-secret")}-AbCdEf`;
const TABLE = physicalName("lemon-dedupe");
const BUS = physicalName("lemon-bus");
const BUS_ARN = `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${BUS}`;
const LOG_GROUP_ARN = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${physicalName("lemon-receiver-logs")}`;
const FUNCTION = physicalName("lemon-receiver");
const ENDPOINT = `https://lemon-api-id.execute-api.${REGION}.amazonaws.com/webhooks/lemon-markets`;

beforeAll(async () => {
  await installMocks();
});

beforeEach(() => {
  resetRecords();
});

async function build(
  name = "lemon",
  args: Partial<ConstructorParameters<typeof LemonWebhookReceiver>[1]> = {},
) {
  const receiver = new LemonWebhookReceiver(name, {
    events: ["order.executed", "account.created"],
    lambdaBundleDir: BUNDLE,
    ...args,
  });
  await settle();
  return receiver;
}

function urnOf(type: string, name: string, parentType = PARENT): string {
  return `urn:pulumi:test::lemon-webhooks::${parentType}$${type}::${name}`;
}

describe("Component: LemonWebhookReceiver graph", () => {
  it("creates exactly the receiver's resources, named after the component", async () => {
    // Act
    await build();

    // Assess
    expect(recorded.map((r) => `${r.type} ${r.name}`).sort()).toEqual(
      [
        "lemon-webhooks:index:Receiver lemon",
        "aws:cloudwatch/eventBus:EventBus lemon-bus",
        "aws:secretsmanager/secret:Secret lemon-signature-secret",
        "aws:secretsmanager/secretVersion:SecretVersion lemon-signature-secret-value",
        "aws:dynamodb/table:Table lemon-dedupe",
        "aws:cloudwatch/eventArchive:EventArchive lemon-archive",
        "aws:cloudwatch/logGroup:LogGroup lemon-receiver-logs",
        "aws:cloudwatch/logGroup:LogGroup lemon-access-logs",
        "aws:iam/role:Role lemon-receiver-role",
        "aws:iam/rolePolicy:RolePolicy lemon-receiver-policy",
        "aws:lambda/function:Function lemon-receiver",
        "aws:apigatewayv2/api:Api lemon-api",
        "aws:apigatewayv2/integration:Integration lemon-integration",
        "aws:apigatewayv2/route:Route lemon-route",
        "aws:apigatewayv2/stage:Stage lemon-stage",
        "aws:lambda/permission:Permission lemon-invoke",
        "pulumi-nodejs:dynamic/lemon-webhooks:WebhookRegistration lemon-registration",
        "aws:cloudwatch/metricAlarm:MetricAlarm lemon-api-5xx",
        "aws:cloudwatch/metricAlarm:MetricAlarm lemon-receiver-errors",
        "aws:cloudwatch/metricAlarm:MetricAlarm lemon-receiver-throttles",
        "aws:cloudwatch/metricAlarm:MetricAlarm lemon-signature-rejects",
      ].sort(),
    );
    expect(invokes).toEqual([]);
  });

  it("parents every child to the component", async () => {
    // Act
    await build();

    // Assess
    const children = recorded.filter((r) => r.type !== PARENT);
    expect(children).toHaveLength(20);
    const urns = new Set(registeredUrns());
    for (const child of children) {
      expect(urns.has(urnOf(child.type, child.name))).toBe(true);
    }
    expect(urns.has(`urn:pulumi:test::lemon-webhooks::${PARENT}::lemon`)).toBe(true);
  });

  it("exposes the registered URL, ids, names and ARNs as outputs", async () => {
    // Act
    const receiver = await build();

    // Assess
    expect(await promiseOf(receiver.endpointUrl)).toBe(ENDPOINT);
    expect(await promiseOf(receiver.webhookId)).toBe(KNOWN_WEBHOOK_ID);
    expect(await promiseOf(receiver.secretArn)).toBe(SECRET_ARN);
    expect(await promiseOf(receiver.eventBusName)).toBe(BUS);
    expect(await promiseOf(receiver.eventBusArn)).toBe(BUS_ARN);
    expect(await promiseOf(receiver.dedupeTableName)).toBe(TABLE);
    expect(await promiseOf(receiver.apiId)).toBe("lemon-api-id");
    expect(await promiseOf(receiver.functionName)).toBe(FUNCTION);
    expect(await promiseOf(receiver.archiveName)).toBe(physicalName("lemon-archive"));
    expect(await promiseOf(receiver.alarmTopicArn)).toBeUndefined();
  });
});

describe("Component: LemonWebhookReceiver registration", () => {
  it("registers the stage URL plus the route path for the given events", async () => {
    // Act
    await build();

    // Assess
    const { __provider, ...inputs } = resource(
      "pulumi-nodejs:dynamic/lemon-webhooks:WebhookRegistration",
      "lemon-registration",
    ).inputs;
    expect(inputs).toEqual({ url: ENDPOINT, events: ["order.executed", "account.created"] });
    expect(typeof __provider).toBe("string");
  });

  it("passes registration options through", async () => {
    // Act
    await build("lemon", {
      apiBaseUrl: "https://api.lemon.markets/v1",
      privacyPrincipal: "ops",
      privacyJustification: "webhook-registration",
      deleteBeforeReplace: true,
      adoptWebhookId: "wbh_existing",
      routePath: "/hooks",
    });

    // Assess
    const { __provider, ...inputs } = resource(
      "pulumi-nodejs:dynamic/lemon-webhooks:WebhookRegistration",
      "lemon-registration",
    ).inputs;
    expect(inputs).toEqual({
      url: `https://lemon-api-id.execute-api.${REGION}.amazonaws.com/hooks`,
      events: ["order.executed", "account.created"],
      apiBaseUrl: "https://api.lemon.markets/v1",
      privacyPrincipal: "ops",
      privacyJustification: "webhook-registration",
      deleteBeforeReplace: true,
      adoptWebhookId: "wbh_existing",
    });
  });

  it("registers only after the route, integration, stage and invoke permission exist", async () => {
    // Act
    await build();

    // Assess
    expect([...(dependencies.get("lemon-registration") ?? [])].sort()).toEqual(
      [
        urnOf("aws:apigatewayv2/route:Route", "lemon-route"),
        urnOf("aws:apigatewayv2/integration:Integration", "lemon-integration"),
        urnOf("aws:apigatewayv2/stage:Stage", "lemon-stage"),
        urnOf("aws:lambda/permission:Permission", "lemon-invoke"),
      ].sort(),
    );
  });

  it("stores the signature secret as the secret's value once registered", async () => {
    // Act
    await build();

    // Assess
    expect([...(dependencies.get("lemon-signature-secret-value") ?? [])].sort()).toEqual(
      [
        urnOf("aws:secretsmanager/secret:Secret", "lemon-signature-secret"),
        urnOf("pulumi-nodejs:dynamic/lemon-webhooks:WebhookRegistration", "lemon-registration"),
      ].sort(),
    );
    expect(
      resource("aws:secretsmanager/secretVersion:SecretVersion", "lemon-signature-secret-value").inputs
        .secretId,
    ).toBe(SECRET_ARN);
  });

  it("retains the replaced secret value on delete, and nothing else, so AWSPREVIOUS outlives a rotation", async () => {
    // Act
    await build();

    // Assess
    expect(options.get("lemon-signature-secret-value")).toEqual({
      type: "aws:secretsmanager/secretVersion:SecretVersion",
      retainOnDelete: true,
      protect: false,
      deleteBeforeReplace: false,
      // Added by @pulumi/aws itself: the value stays secret in the new version's state.
      additionalSecretOutputs: ["secretBinary", "secretString", "secretStringWo"],
      ignoreChanges: [],
      replaceOnChanges: [],
      parent: "urn:pulumi:test::lemon-webhooks::lemon-webhooks:index:Receiver::lemon",
    });
    expect([...options].filter(([, recorded]) => recorded.retainOnDelete).map(([name]) => name)).toEqual([
      "lemon-signature-secret-value",
    ]);
  });
});

describe("Component: LemonWebhookReceiver ingress", () => {
  it("routes exactly POST <path> to the receiver through a $default stage with throttling and access logs", async () => {
    // Act
    await build("lemon", {
      routePath: "/in/lemon",
      throttling: { rateLimit: 7.5, burstLimit: 15 },
      logRetentionDays: 14,
    });

    // Assess
    expect(resource("aws:apigatewayv2/api:Api", "lemon-api").inputs).toEqual({
      protocolType: "HTTP",
      description: "Receives lemon.markets webhooks at POST /in/lemon",
      tags: {},
    });
    expect(resource("aws:apigatewayv2/integration:Integration", "lemon-integration").inputs).toEqual({
      apiId: "lemon-api-id",
      integrationType: "AWS_PROXY",
      integrationUri: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${FUNCTION}`,
      integrationMethod: "POST",
      payloadFormatVersion: "2.0",
    });
    expect(resource("aws:apigatewayv2/route:Route", "lemon-route").inputs).toEqual({
      apiId: "lemon-api-id",
      routeKey: "POST /in/lemon",
      target: "integrations/lemon-integration-id",
    });
    const stage = resource("aws:apigatewayv2/stage:Stage", "lemon-stage").inputs;
    expect(stage.name).toBe("$default");
    expect(stage.autoDeploy).toBe(true);
    expect(stage.defaultRouteSettings).toEqual({ throttlingRateLimit: 7.5, throttlingBurstLimit: 15 });
    const accessLogs = stage.accessLogSettings as { destinationArn: string; format: string };
    expect(accessLogs.destinationArn).toBe(
      `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${physicalName("lemon-access-logs")}`,
    );
    expect(Object.keys(JSON.parse(accessLogs.format))).toEqual([
      "requestId",
      "requestTime",
      "sourceIp",
      "httpMethod",
      "path",
      "routeKey",
      "status",
      "responseLength",
      "responseLatency",
      "integrationStatus",
      "integrationLatency",
      "integrationErrorMessage",
    ]);
    expect(resource("aws:cloudwatch/logGroup:LogGroup", "lemon-access-logs").inputs).toEqual({
      retentionInDays: 14,
      tags: {},
    });
  });

  it("lets only this API's POST route invoke the receiver", async () => {
    // Act
    await build();

    // Assess
    expect(resource("aws:lambda/permission:Permission", "lemon-invoke").inputs).toEqual({
      action: "lambda:InvokeFunction",
      function: FUNCTION,
      principal: "apigateway.amazonaws.com",
      sourceArn: `arn:aws:execute-api:${REGION}:${ACCOUNT}:lemon-api-id/*/POST/webhooks/lemon-markets`,
    });
  });
});

describe("Component: LemonWebhookReceiver Lambda", () => {
  it("runs the bundle on nodejs24.x arm64 under the deadline with JSON logs to its own log group", async () => {
    // Act
    await build("lemon", {
      memorySize: 512,
      timeoutSeconds: 5,
      reservedConcurrency: 20,
      logRetentionDays: 90,
    });

    // Assess
    const { code, environment, ...inputs } = resource(
      "aws:lambda/function:Function",
      "lemon-receiver",
    ).inputs;
    expect(inputs).toEqual({
      runtime: "nodejs24.x",
      architectures: ["arm64"],
      handler: "index.handler",
      role: `arn:aws:iam::${ACCOUNT}:role/${physicalName("lemon-receiver-role")}`,
      memorySize: 512,
      timeout: 5,
      reservedConcurrentExecutions: 20,
      loggingConfig: {
        logFormat: "JSON",
        logGroup: physicalName("lemon-receiver-logs"),
        applicationLogLevel: "INFO",
        systemLogLevel: "INFO",
      },
      tags: {},
    });
    expect(code).toBeInstanceOf(pulumi.asset.FileArchive);
    expect(await (code as pulumi.asset.FileArchive).path).toBe(BUNDLE);
    expect(resource("aws:cloudwatch/logGroup:LogGroup", "lemon-receiver-logs").inputs).toEqual({
      retentionInDays: 90,
      tags: {},
    });
  });

  it("gives the Lambda names, ARNs and numbers only", async () => {
    // Act
    await build("lemon", {
      rotationGraceSeconds: 3600,
      dedupeTtlSeconds: 7200,
      maxBodyBytes: 2048,
      secretCacheSeconds: 0,
      claimLeaseSeconds: 30,
    });

    // Assess
    expect(resource("aws:lambda/function:Function", "lemon-receiver").inputs.environment).toEqual({
      variables: {
        LEMON_SIGNATURE_SECRET_ARN: SECRET_ARN,
        LEMON_DEDUPE_TABLE: TABLE,
        LEMON_EVENT_BUS_NAME: BUS,
        LEMON_ROTATION_GRACE_SECONDS: "3600",
        LEMON_DEDUPE_TTL_SECONDS: "7200",
        LEMON_MAX_BODY_BYTES: "2048",
        LEMON_SECRET_CACHE_SECONDS: "0",
        LEMON_CLAIM_LEASE_SECONDS: "30",
      },
    });
  });

  it("scopes every IAM statement to the one ARN it needs", async () => {
    // Act
    await build();

    // Assess
    const { role, policy } = resource("aws:iam/rolePolicy:RolePolicy", "lemon-receiver-policy").inputs;
    expect(role).toBe("lemon-receiver-role-id");
    expect(JSON.parse(policy as string)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ReadSignatureSecret",
          Effect: "Allow",
          Action: ["secretsmanager:GetSecretValue"],
          Resource: SECRET_ARN,
        },
        {
          Sid: "ClaimEventIds",
          Effect: "Allow",
          Action: ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
          Resource: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${TABLE}`,
        },
        { Sid: "ForwardEvents", Effect: "Allow", Action: ["events:PutEvents"], Resource: BUS_ARN },
        {
          Sid: "WriteOwnLogs",
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: `${LOG_GROUP_ARN}:*`,
        },
      ],
    });
    expect(String(policy)).not.toContain('"Resource":"*"');
    expect(
      JSON.parse(resource("aws:iam/role:Role", "lemon-receiver-role").inputs.assumeRolePolicy as string),
    ).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
      ],
    });
  });

  it("creates the function only after its policy", async () => {
    // Act
    await build();

    // Assess
    expect(dependencies.get("lemon-receiver")).toContain(
      urnOf("aws:iam/rolePolicy:RolePolicy", "lemon-receiver-policy"),
    );
  });
});

describe("Component: LemonWebhookReceiver storage and fan-out", () => {
  it("creates an on-demand dedupe table keyed on pk with TTL on expiresAt", async () => {
    // Act
    await build("lemon", { tags: { team: "payments" } });

    // Assess
    expect(resource("aws:dynamodb/table:Table", "lemon-dedupe").inputs).toEqual({
      billingMode: "PAY_PER_REQUEST",
      hashKey: "pk",
      attributes: [{ name: "pk", type: "S" }],
      ttl: { attributeName: "expiresAt", enabled: true },
      tags: { team: "payments" },
    });
    expect(resource("aws:secretsmanager/secret:Secret", "lemon-signature-secret").inputs).toEqual({
      description:
        "lemon.markets webhook signature secret of receiver lemon (AWSCURRENT; AWSPREVIOUS during a rotation)",
      recoveryWindowInDays: 0,
      tags: { team: "payments" },
    });
  });

  it("archives only lemon.markets events of its new bus for the configured retention", async () => {
    // Act
    await build("lemon", { archiveRetentionDays: 90 });

    // Assess
    expect(resource("aws:cloudwatch/eventArchive:EventArchive", "lemon-archive").inputs).toEqual({
      eventSourceArn: BUS_ARN,
      eventPattern: '{"source":["lemon.markets"]}',
      retentionDays: 90,
      description: "Replay archive of lemon.markets events forwarded by receiver lemon",
    });
  });

  it("forwards to an existing bus instead of creating one", async () => {
    // Prepare
    const arn = `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/shared`;

    // Act
    const receiver = await build("lemon", { eventBus: { name: "shared", arn } });

    // Assess
    expect(recorded.filter((r) => r.type === "aws:cloudwatch/eventBus:EventBus")).toEqual([]);
    expect(resource("aws:cloudwatch/eventArchive:EventArchive", "lemon-archive").inputs.eventSourceArn).toBe(
      arn,
    );
    const env = resource("aws:lambda/function:Function", "lemon-receiver").inputs.environment as {
      variables: Record<string, string>;
    };
    expect(env.variables.LEMON_EVENT_BUS_NAME).toBe("shared");
    const policy = JSON.parse(
      resource("aws:iam/rolePolicy:RolePolicy", "lemon-receiver-policy").inputs.policy as string,
    );
    expect(policy.Statement[2]).toEqual({
      Sid: "ForwardEvents",
      Effect: "Allow",
      Action: ["events:PutEvents"],
      Resource: arn,
    });
    expect(await promiseOf(receiver.eventBusArn)).toBe(arn);
  });
});

describe("Component: LemonWebhookReceiver alarms", () => {
  it("alarms on API 5xx, Lambda errors and throttles and sustained signature failures, without actions when no destination is set", async () => {
    // Act
    await build();

    // Assess
    const common = {
      period: 300,
      evaluationPeriods: 1,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
      alarmActions: [],
      okActions: [],
      tags: {},
    };
    // 2 of 3 periods: the receiver answers 503 by design for a moment while a registration is replaced.
    expect(resource("aws:cloudwatch/metricAlarm:MetricAlarm", "lemon-api-5xx").inputs).toEqual({
      ...common,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      alarmDescription:
        "The webhook endpoint answered 5xx in 2 of the last 3 five-minute periods: lemon.markets will retry, but deliveries are failing",
      namespace: "AWS/ApiGateway",
      metricName: "5xx",
      statistic: "Sum",
      dimensions: { ApiId: "lemon-api-id", Stage: "$default" },
    });
    expect(resource("aws:cloudwatch/metricAlarm:MetricAlarm", "lemon-receiver-errors").inputs).toEqual({
      ...common,
      alarmDescription: "The webhook receiver Lambda failed",
      namespace: "AWS/Lambda",
      metricName: "Errors",
      statistic: "Sum",
      dimensions: { FunctionName: FUNCTION },
    });
    expect(
      resource("aws:cloudwatch/metricAlarm:MetricAlarm", "lemon-receiver-throttles").inputs,
    ).toMatchObject({
      metricName: "Throttles",
      dimensions: { FunctionName: FUNCTION },
      alarmActions: [],
    });
    // A wrong secret or scheme answers 401, which is neither a 5xx nor a Lambda error: the receiver's own
    // Rejected metric (EMF, Service + Reason) is the only signal. Sustained (3 of 3), not one forged request.
    expect(resource("aws:cloudwatch/metricAlarm:MetricAlarm", "lemon-signature-rejects").inputs).toEqual({
      ...common,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      alarmDescription:
        "Deliveries failed signature verification in 3 consecutive five-minute periods: the signature secret or scheme is wrong (lemon.markets gets 401 and will give up) or someone is probing the endpoint; see docs/operations.md",
      namespace: "LemonWebhooks",
      metricName: "Rejected",
      statistic: "Sum",
      dimensions: { Service: "lemon-webhooks-receiver", Reason: "signature" },
    });
  });

  it("creates a topic with an email subscription for alarmEmail and notifies it", async () => {
    // Act
    const receiver = await build("lemon", { alarmEmail: "ops@example.com" });

    // Assess
    const topicArn = `arn:aws:sns:${REGION}:${ACCOUNT}:${physicalName("lemon-alarms")}`;
    expect(resource("aws:sns/topicSubscription:TopicSubscription", "lemon-alarms-email").inputs).toEqual({
      topic: topicArn,
      protocol: "email",
      endpoint: "ops@example.com",
    });
    for (const alarm of [
      "lemon-api-5xx",
      "lemon-receiver-errors",
      "lemon-receiver-throttles",
      "lemon-signature-rejects",
    ]) {
      const inputs = resource("aws:cloudwatch/metricAlarm:MetricAlarm", alarm).inputs;
      expect([inputs.alarmActions, inputs.okActions]).toEqual([[topicArn], [topicArn]]);
    }
    expect(await promiseOf(receiver.alarmTopicArn)).toBe(topicArn);
  });

  it("notifies an existing topic without creating one", async () => {
    // Prepare
    const topicArn = `arn:aws:sns:${REGION}:${ACCOUNT}:ops`;

    // Act
    await build("lemon", { alarmTopicArn: topicArn });

    // Assess
    expect(recorded.filter((r) => r.type.startsWith("aws:sns/"))).toEqual([]);
    expect(resource("aws:cloudwatch/metricAlarm:MetricAlarm", "lemon-api-5xx").inputs.alarmActions).toEqual([
      topicArn,
    ]);
  });
});

describe("Component: LemonWebhookReceiver warnings", () => {
  it("warns once per event type outside the published list, and registers it anyway", async () => {
    // Prepare
    const warn = jest.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());

    // Act
    await build("lemon", { events: ["order.executed", "order.teleported"] });

    // Assess
    expect(warn.mock.calls.map(([message]) => message)).toEqual(
      unpublishedEventWarnings(["order.teleported"]),
    );
    expect(warn.mock.calls).toHaveLength(1);
    const registration = resource(
      "pulumi-nodejs:dynamic/lemon-webhooks:WebhookRegistration",
      "lemon-registration",
    );
    expect(registration.inputs.events).toEqual(["order.executed", "order.teleported"]);
    warn.mockRestore();
  });
});

describe("Component: two LemonWebhookReceivers", () => {
  it("do not collide in logical names, URNs or explicit physical names", async () => {
    // Act
    await build("alpha");
    await build("beta");

    // Assess
    const keys = recorded.map((r) => `${r.type}::${r.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(42);
    const urns = registeredUrns().filter((urn) => /::(alpha|beta)(-|$)/.test(urn));
    expect(new Set(urns).size).toBe(42);
    // The stage name is the only explicit physical name, and it is per API.
    const explicitNames = recorded.map((r) => r.inputs.name).filter((n) => n !== undefined);
    expect(explicitNames).toEqual(["$default", "$default"]);
  });
});
