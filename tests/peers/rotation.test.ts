/**
 * Signature-secret rotation against moto's Secrets Manager: the versions and their AWSCURRENT/AWSPREVIOUS
 * labels are made by real `CreateSecret` and `PutSecretValue` calls (AWS SDK v3), and the built receiver bundle
 * reads them back as docs/receiver.md ("Secret caching and rotation") describes: AWSCURRENT verifies, AWSPREVIOUS
 * verifies within the grace (measured from AWSCURRENT's CreatedDate), anything older does not.
 */
import { CreateSecretCommand, PutSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import type { ApiGatewayV2Result } from "../../lambda/receiver/apigw";
import { REFETCH_MIN_AGE_MS } from "../../lambda/receiver/secret-keyring";
import { signedApiGatewayEvent } from "../support/apigw";
import { eventBody } from "../support/events";
import { PeerAws, uniqueName } from "../support/peers/aws";
import { RECEIVER_BUNDLE, receiverEnv, startContainer } from "../support/peers/bundles";
import { type RecordingProxy, startRecordingProxy } from "../support/peers/recording-proxy";

const FIRST = "first-signature-secret-0123456789abcdef0123456789abcdef";
const SECOND = "second-signature-secret-0123456789abcdef0123456789abcdef";
const THIRD = "third-signature-secret-0123456789abcdef0123456789abcdef";
const NEVER = "never-stored-signature-secret-0123456789abcdef01234567";
const FOURTH = "fourth-signature-secret-0123456789abcdef0123456789abcdef";

describe("Secret rotation with versions made by real PutSecretValue calls", () => {
  const aws = new PeerAws();
  let tableName: string;
  let eventBusName: string;
  let secretArn: string;
  let secretsProxy: RecordingProxy;
  let n = 0;

  beforeAll(async () => {
    tableName = await aws.createDedupeTable();
    ({ eventBusName } = await aws.busWithQueue());
    secretsProxy = await startRecordingProxy(aws.endpoint);
    const created = await aws.secretsManager.send(
      new CreateSecretCommand({ Name: uniqueName("lemon-signature"), SecretString: FIRST }),
    );
    secretArn = created.ARN!;
  });

  afterAll(async () => {
    await secretsProxy.close();
    aws.destroy();
  });

  /** Statuses a fresh container (cold cache, as after a deploy) answers to one new event signed with each secret. */
  async function statusesFor(secrets: readonly string[], rotationGraceSeconds = 86_400): Promise<number[]> {
    const container = await startContainer(RECEIVER_BUNDLE, {
      ...receiverEnv({ endpoint: aws.endpoint, secretArn, tableName, eventBusName, rotationGraceSeconds }),
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsProxy.endpoint,
    });
    try {
      const statuses: number[] = [];
      for (const secret of secrets) {
        n += 1;
        const body = eventBody(`evt_rotation_${process.pid}_${n}`);
        const result = await container.invoke<ApiGatewayV2Result>(
          signedApiGatewayEvent(body, `req-rotation-${n}`, secret),
        );
        statuses.push(result.statusCode);
      }
      return statuses;
    } finally {
      await container.close();
    }
  }

  it("verifies only AWSCURRENT before any rotation, asking for AWSPREVIOUS and getting none", async () => {
    // Prepare
    const before = secretsProxy.calls.length;

    // Act
    const statuses = await statusesFor([FIRST, NEVER]);

    // Assess
    expect(statuses).toEqual([200, 401]);
    const asked = secretsProxy.calls.slice(before).map((c) => [c.target, JSON.parse(c.body)]);
    // The forged (NEVER) request's refetch is rate-limited (cache younger than 5 s): one fetch of each label.
    expect(asked).toEqual([
      ["secretsmanager.GetSecretValue", { SecretId: secretArn, VersionStage: "AWSCURRENT" }],
      ["secretsmanager.GetSecretValue", { SecretId: secretArn, VersionStage: "AWSPREVIOUS" }],
    ]);
  });

  it("after one PutSecretValue, verifies the new AWSCURRENT and the old secret as AWSPREVIOUS", async () => {
    // Prepare
    const put = await aws.secretsManager.send(
      new PutSecretValueCommand({ SecretId: secretArn, SecretString: SECOND }),
    );

    // Act
    const statuses = await statusesFor([SECOND, FIRST, NEVER]);

    // Assess
    expect(put.VersionStages).toEqual(["AWSCURRENT"]);
    expect(statuses).toEqual([200, 200, 401]);
  });

  it("after a second PutSecretValue, verifies the two newest and rejects the first secret", async () => {
    // Prepare
    await aws.secretsManager.send(new PutSecretValueCommand({ SecretId: secretArn, SecretString: THIRD }));

    // Act
    const statuses = await statusesFor([THIRD, SECOND, FIRST]);

    // Assess
    expect(statuses).toEqual([200, 200, 401]);
  });

  it("rejects AWSPREVIOUS once the grace since AWSCURRENT's CreatedDate is over (grace 0)", async () => {
    // Act
    const statuses = await statusesFor([THIRD, SECOND], 0);

    // Assess
    expect(statuses).toEqual([200, 401]);
  });
  it("lets a warm container verify a secret put after its fetch, by one refetch once its cache is 5 s old", async () => {
    // Prepare: a secret of its own (SECOND, then THIRD), a warm container that cached both labels for 300 s,
    // then a rotation to FOURTH.
    const ownArn = (
      await aws.secretsManager.send(
        new CreateSecretCommand({ Name: uniqueName("lemon-signature-warm"), SecretString: SECOND }),
      )
    ).ARN!;
    await aws.secretsManager.send(new PutSecretValueCommand({ SecretId: ownArn, SecretString: THIRD }));
    const container = await startContainer(RECEIVER_BUNDLE, {
      ...receiverEnv({ endpoint: aws.endpoint, secretArn: ownArn, tableName, eventBusName }),
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsProxy.endpoint,
    });
    const deliver = async (secret: string) => {
      n += 1;
      const body = eventBody(`evt_rotation_${process.pid}_${n}`);
      const result = await container.invoke<ApiGatewayV2Result>(
        signedApiGatewayEvent(body, `req-rotation-${n}`, secret),
      );
      return result.statusCode;
    };

    try {
      const before = secretsProxy.calls.length;
      // Taken before the warming delivery: the container's fetch is later, so its cache is at most this old.
      const fetchedAtMs = Date.now();
      const warm = await deliver(THIRD);
      await aws.secretsManager.send(new PutSecretValueCommand({ SecretId: ownArn, SecretString: FOURTH }));

      // Act: lemon.markets retries a rejected delivery; retry every 250 ms, for at most 30 s.
      const attempts: Array<{ status: number; afterMs: number }> = [];
      while (attempts.at(-1)?.status !== 200 && Date.now() - fetchedAtMs < 30_000) {
        attempts.push({ status: await deliver(FOURTH), afterMs: Date.now() - fetchedAtMs });
        if (attempts.at(-1)!.status !== 200) await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const previousNow = await deliver(THIRD);
      const droppedNow = await deliver(SECOND);

      // Assess
      expect(warm).toBe(200);
      const last = attempts.at(-1)!;
      expect(last.status).toBe(200);
      expect(last.afterMs).toBeGreaterThanOrEqual(REFETCH_MIN_AGE_MS);
      expect(attempts.slice(0, -1).every((a) => a.status === 401)).toBe(true);
      expect([previousNow, droppedNow]).toEqual([200, 401]);
      // One fetch of both labels when warming, one refetch of both; the 401s never reached Secrets Manager.
      expect(secretsProxy.calls.slice(before).map((c) => JSON.parse(c.body).VersionStage)).toEqual([
        "AWSCURRENT",
        "AWSPREVIOUS",
        "AWSCURRENT",
        "AWSPREVIOUS",
      ]);
    } finally {
      await container.close();
    }
  });
});
