import * as pulumi from "@pulumi/pulumi";
import { LemonWebhookReceiver, unpublishedEventWarnings } from "../../../components";
import { forwarderMaximumRecordAgeSeconds } from "../../../components/receiver/forwarder";
import { LAMBDA_RUNTIME } from "../../../components/shared/lambda-settings";
import { FORWARDER_ENV_NAMES, FORWARDER_FILTER_PATTERN } from "../../../contract/events-table";
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
  STREAM_LABEL,
  settle,
} from "../../support/pulumi-mocks";

const BUNDLE = fakeBundleDir();
const PARENT = "lemon-webhooks:index:Receiver";
const SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${physicalName("lemon-signature-secret")}-AbCdEf`;
const TABLE = physicalName("lemon-dedupe");
const BUS = physicalName("lemon-bus");
const BUS_ARN = `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${BUS}`;
const LOG_GROUP_ARN = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${physicalName("lemon-receiver-logs")}`;
const FUNCTION = physicalName("lemon-receiver");
const FORWARDER = physicalName("lemon-forwarder");
const TABLE_ARN = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${TABLE}`;
const STREAM_ARN = `${TABLE_ARN}/stream/${STREAM_LABEL}`;
const FAILURE_QUEUE = physicalName("lemon-forward-failures");
const FAILURE_QUEUE_ARN = `arn:aws:sqs:${REGION}:${ACCOUNT}:${FAILURE_QUEUE}`;
const FORWARDER_LOG_GROUP_ARN = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${physicalName("lemon-forwarder-logs")}`;
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
    forwarderBundleDir: BUNDLE,
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
        "aws:sqs/queue:Queue lemon-forward-failures",
        "aws:cloudwatch/logGroup:LogGroup lemon-forwarder-logs",
        "aws:iam/role:Role lemon-forwarder-role",
        "aws:iam/rolePolicy:RolePolicy lemon-forwarder-policy",
        "aws:lambda/function:Function lemon-forwarder",
        "aws:lambda/eventSourceMapping:EventSourceMapping lemon-forwarder-stream",
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
        "aws:cloudwatch/metricAlarm:MetricAlarm lemon-forward-failures-depth",
        "aws:cloudwatch/metricAlarm:MetricAlarm lemon-forwarder-iterator-age",
        "aws:cloudwatch/metricAlarm:MetricAlarm lemon-forwarder-errors",
      ].sort(),
    );
    expect(invokes).toEqual([]);
  });

  it("parents every child to the component", async () => {
    // Act
    await build();

    // Assess
    const children = recorded.filter((r) => r.type !== PARENT);
    expect(children).toHaveLength(29);
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
    expect(await promiseOf(receiver.forwarderFunctionName)).toBe(FORWARDER);
    expect(await promiseOf(receiver.forwardFailureQueueUrl)).toBe(
      `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${FAILURE_QUEUE}`,
    );
    expect(await promiseOf(receiver.forwardFailureQueueArn)).toBe(FAILURE_QUEUE_ARN);
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
    });

    // Assess
    expect(resource("aws:lambda/function:Function", "lemon-receiver").inputs.environment).toEqual({
      variables: {
        LEMON_SIGNATURE_SECRET_ARN: SECRET_ARN,
        LEMON_DEDUPE_TABLE: TABLE,
        LEMON_ROTATION_GRACE_SECONDS: "3600",
        LEMON_DEDUPE_TTL_SECONDS: "7200",
        LEMON_MAX_BODY_BYTES: "2048",
        LEMON_SECRET_CACHE_SECONDS: "0",
        LEMON_SIGNATURE_SCHEME: "lemon-default",
      },
    });
  });

  it("may read its secret and store an event (one PutItem) and nothing else: no PutEvents, no read or delete", async () => {
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
        { Sid: "StoreEvents", Effect: "Allow", Action: ["dynamodb:PutItem"], Resource: TABLE_ARN },
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

describe("Component: LemonWebhookReceiver forwarder", () => {
  it("runs the forwarder bundle on LAMBDA_RUNTIME with a generous timeout, JSON logs to its own group, and the bus and table names", async () => {
    // Act
    await build("lemon", { logRetentionDays: 90, logLevel: "DEBUG", memorySize: 1024, timeoutSeconds: 3 });

    // Assess
    const { code, ...inputs } = resource("aws:lambda/function:Function", "lemon-forwarder").inputs;
    expect(inputs).toEqual({
      runtime: LAMBDA_RUNTIME.runtime,
      architectures: [LAMBDA_RUNTIME.architecture],
      handler: LAMBDA_RUNTIME.handler,
      role: `arn:aws:iam::${ACCOUNT}:role/${physicalName("lemon-forwarder-role")}`,
      // Its own settings, not the receiver's (off the 10 s delivery path).
      memorySize: 256,
      timeout: 300,
      environment: { variables: { LEMON_EVENT_BUS_NAME: BUS, LEMON_DEDUPE_TABLE: TABLE } },
      loggingConfig: {
        logFormat: "JSON",
        logGroup: physicalName("lemon-forwarder-logs"),
        applicationLogLevel: "DEBUG",
        systemLogLevel: "INFO",
      },
      tags: {},
    });
    expect(Object.keys((inputs.environment as { variables: object }).variables).sort()).toEqual(
      Object.values(FORWARDER_ENV_NAMES).sort(),
    );
    expect(await (code as pulumi.asset.FileArchive).path).toBe(BUNDLE);
    expect(resource("aws:cloudwatch/logGroup:LogGroup", "lemon-forwarder-logs").inputs).toEqual({
      retentionInDays: 90,
      tags: {},
    });
  });

  it("may put events on the bus, check and mark items, read the stream and send to its failure queue: nothing else", async () => {
    // Act
    await build();

    // Assess
    const { role, policy } = resource("aws:iam/rolePolicy:RolePolicy", "lemon-forwarder-policy").inputs;
    expect(role).toBe("lemon-forwarder-role-id");
    expect(JSON.parse(policy as string)).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Sid: "ForwardEvents", Effect: "Allow", Action: ["events:PutEvents"], Resource: BUS_ARN },
        {
          Sid: "CheckAndMarkForwarded",
          Effect: "Allow",
          Action: ["dynamodb:BatchGetItem", "dynamodb:UpdateItem"],
          Resource: TABLE_ARN,
        },
        {
          Sid: "ReadStream",
          Effect: "Allow",
          Action: ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
          Resource: STREAM_ARN,
        },
        // ListStreams has no resource type in IAM: `*` is the only resource it can be granted on.
        { Sid: "ListStreams", Effect: "Allow", Action: ["dynamodb:ListStreams"], Resource: "*" },
        {
          Sid: "SendForwardFailures",
          Effect: "Allow",
          Action: ["sqs:SendMessage"],
          Resource: FAILURE_QUEUE_ARN,
        },
        {
          Sid: "WriteOwnLogs",
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: `${FORWARDER_LOG_GROUP_ARN}:*`,
        },
      ],
    });
    expect(
      JSON.parse(resource("aws:iam/role:Role", "lemon-forwarder-role").inputs.assumeRolePolicy as string),
    ).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
      ],
    });
  });

  it("maps the table's stream to the forwarder: INSERTs of event items, batches of 10, partial failures, bounded retries, failures to the queue", async () => {
    // Act
    await build();

    // Assess
    const { filterCriteria, ...inputs } = resource(
      "aws:lambda/eventSourceMapping:EventSourceMapping",
      "lemon-forwarder-stream",
    ).inputs;
    expect(inputs).toEqual({
      eventSourceArn: STREAM_ARN,
      functionName: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${FORWARDER}`,
      startingPosition: "TRIM_HORIZON",
      batchSize: 10,
      maximumBatchingWindowInSeconds: 0,
      functionResponseTypes: ["ReportBatchItemFailures"],
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: -1,
      maximumRecordAgeInSeconds: 3600,
      destinationConfig: { onFailure: { destinationArn: FAILURE_QUEUE_ARN } },
      tags: {},
    });
    const filters = (filterCriteria as { filters: { pattern: string }[] }).filters;
    expect(filters).toHaveLength(1);
    expect(JSON.parse(filters[0]?.pattern ?? "null")).toEqual(FORWARDER_FILTER_PATTERN);
    expect(FORWARDER_FILTER_PATTERN).toEqual({
      eventName: ["INSERT"],
      dynamodb: { NewImage: { kind: { S: ["event"] } } },
    });
  });

  it("gives up on a record after at most half the dedupe TTL, so its event is still stored to re-forward", async () => {
    // Act
    await build("lemon", { dedupeTtlSeconds: 3600 });

    // Assess
    expect(
      resource("aws:lambda/eventSourceMapping:EventSourceMapping", "lemon-forwarder-stream").inputs
        .maximumRecordAgeInSeconds,
    ).toBe(1800);
    expect(
      resource("aws:cloudwatch/metricAlarm:MetricAlarm", "lemon-forwarder-iterator-age").inputs
        .alarmDescription,
    ).toContain("after 30 minutes they go to the failure queue");
    expect(forwarderMaximumRecordAgeSeconds(604_800)).toBe(3600);
    expect(forwarderMaximumRecordAgeSeconds(7201)).toBe(3600);
    expect(forwarderMaximumRecordAgeSeconds(3601)).toBe(1800);
  });

  it("creates the mapping only after the forwarder's policy (its first poll uses the role), and the function after it too", async () => {
    // Act
    await build();

    // Assess
    const policyUrn = urnOf("aws:iam/rolePolicy:RolePolicy", "lemon-forwarder-policy");
    expect(dependencies.get("lemon-forwarder-stream")).toContain(policyUrn);
    expect(dependencies.get("lemon-forwarder")).toContain(policyUrn);
  });

  it("keeps given-up records 14 days in an encrypted queue with no policy of its own", async () => {
    // Act
    await build("lemon", { tags: { team: "payments" } });

    // Assess
    expect(resource("aws:sqs/queue:Queue", "lemon-forward-failures").inputs).toEqual({
      messageRetentionSeconds: 1_209_600,
      sqsManagedSseEnabled: true,
      tags: { team: "payments" },
    });
    expect(recorded.filter((r) => r.type === "aws:sqs/queuePolicy:QueuePolicy")).toEqual([]);
  });

  it("alarms when records were given up on, when the stream falls 15 minutes behind, and when the forwarder fails", async () => {
    // Act
    await build("lemon", { alarmTopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:ops` });

    // Assess
    const actions = [`arn:aws:sns:${REGION}:${ACCOUNT}:ops`];
    const common = {
      period: 300,
      evaluationPeriods: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
      alarmActions: actions,
      okActions: actions,
      tags: {},
    };
    expect(resource("aws:cloudwatch/metricAlarm:MetricAlarm", "lemon-forward-failures-depth").inputs).toEqual(
      {
        ...common,
        threshold: 1,
        alarmDescription:
          "Events were stored but not forwarded: the forwarder gave up on them. They are still in the table: run `lemon-webhooks reforward --stack test --from <a minute before the oldest message's DDBStreamBatchInfo.approximateArrivalOfFirstRecord>`, then purge the queue",
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        statistic: "Maximum",
        dimensions: { QueueName: FAILURE_QUEUE },
      },
    );
    expect(resource("aws:cloudwatch/metricAlarm:MetricAlarm", "lemon-forwarder-iterator-age").inputs).toEqual(
      {
        ...common,
        threshold: 900_000,
        alarmDescription:
          "The forwarder is 15 minutes or more behind the table's stream (EventBridge failing, the forwarder failing or throttled): stored events are waiting to reach the bus; after 60 minutes they go to the failure queue",
        namespace: "AWS/Lambda",
        metricName: "IteratorAge",
        statistic: "Maximum",
        dimensions: { FunctionName: FORWARDER },
      },
    );
    expect(resource("aws:cloudwatch/metricAlarm:MetricAlarm", "lemon-forwarder-errors").inputs).toEqual({
      ...common,
      threshold: 1,
      alarmDescription:
        "The forwarder Lambda failed (its batch is split and retried; see its logs): stored events are not reaching the bus",
      namespace: "AWS/Lambda",
      metricName: "Errors",
      statistic: "Sum",
      dimensions: { FunctionName: FORWARDER },
    });
  });

  it("refuses a missing forwarder bundle before registering anything, naming the fix", () => {
    // Act
    const act = () =>
      new LemonWebhookReceiver("lemon", {
        events: ["order.executed"],
        lambdaBundleDir: BUNDLE,
        forwarderBundleDir: "/nonexistent/forwarder",
      });

    // Assess
    expect(act).toThrow(
      'The forwarder Lambda bundle /nonexistent/forwarder/index.js does not exist: run "npm run build:lambda" first',
    );
    expect(recorded).toEqual([]);
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
      // Every stored event reaches the forwarder through the stream; it needs the new item, nothing else.
      streamEnabled: true,
      streamViewType: "NEW_IMAGE",
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
    const env = resource("aws:lambda/function:Function", "lemon-forwarder").inputs.environment as {
      variables: Record<string, string>;
    };
    expect(env.variables.LEMON_EVENT_BUS_NAME).toBe("shared");
    const policy = JSON.parse(
      resource("aws:iam/rolePolicy:RolePolicy", "lemon-forwarder-policy").inputs.policy as string,
    );
    expect(policy.Statement[0]).toEqual({
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
        "Deliveries failed signature verification in 3 consecutive five-minute periods: the signature secret or scheme is wrong (lemon.markets gets 401 and will give up) or someone is probing the endpoint; a wrong scheme is named by a signature_scheme_probe line in the receiver's log, see docs/first-delivery.md",
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
      "lemon-forward-failures-depth",
      "lemon-forwarder-iterator-age",
      "lemon-forwarder-errors",
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
    expect(keys).toHaveLength(60);
    const urns = registeredUrns().filter((urn) => /::(alpha|beta)(-|$)/.test(urn));
    expect(new Set(urns).size).toBe(60);
    // The stage name is the only explicit physical name, and it is per API.
    const explicitNames = recorded.map((r) => r.inputs.name).filter((n) => n !== undefined);
    expect(explicitNames).toEqual(["$default", "$default"]);
  });
});
