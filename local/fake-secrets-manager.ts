/**
 * A local Secrets Manager for `GetSecretValue` (VersionStage AWSCURRENT / AWSPREVIOUS, CreatedDate), with
 * rotation (`putSecretValue`) and fault injection. Point the receiver at it with
 * `AWS_ENDPOINT_URL_SECRETS_MANAGER=<endpoint>` and `LEMON_SIGNATURE_SECRET_ARN=<arn>`.
 */

import { randomUUID } from "node:crypto";
import { AWS_JSON_PROTOCOLS } from "../lambda/aws/json-client";
import { awsError, FaultPlan, type JsonReply, type RandomFaults, startJsonServer } from "./aws-json-server";

/** How a faulty call fails: 500 InternalServiceError, 400 ThrottlingException, 400 AccessDeniedException. */
export type SecretsManagerFault = "unavailable" | "throttle" | "access-denied";

/** A version to seed: the secret string and when it was created. */
export interface FakeSecretVersion {
  readonly secret: string;
  readonly createdAt: Date;
}

/** Options of {@link startFakeSecretsManager}. */
export interface FakeSecretsManagerOptions {
  /** Versions in creation order: the last is AWSCURRENT, the one before it AWSPREVIOUS. May be empty. */
  readonly versions: readonly FakeSecretVersion[];
  /** Defaults to `arn:aws:secretsmanager:eu-central-1:123456789012:secret:lemon-webhooks-signature-AbCdEf`. */
  readonly arn?: string;
  readonly port?: number;
}

/** One `GetSecretValue` call as received. */
export interface SecretRequestRecord {
  readonly secretId: string;
  readonly versionStage: string;
}

/** A running fake Secrets Manager. */
export interface FakeSecretsManager {
  readonly endpoint: string;
  readonly arn: string;
  /** Every `GetSecretValue` call so far, faulted ones included. */
  readonly calls: readonly SecretRequestRecord[];
  /** Rotates: the new version becomes AWSCURRENT, the old AWSCURRENT becomes AWSPREVIOUS. */
  putSecretValue(secret: string, createdAt?: Date): void;
  failNext(count: number, fault?: SecretsManagerFault): void;
  failFor(durationMs: number, fault?: SecretsManagerFault): void;
  /** A seeded share of calls fails with kinds picked from `kinds`, until {@link clearFaults}. */
  failRandomly(options: RandomFaults<SecretsManagerFault>): void;
  /** Faulted calls so far, per kind. */
  injectedFaults(): Readonly<Partial<Record<SecretsManagerFault, number>>>;
  clearFaults(): void;
  close(): Promise<void>;
}

const DEFAULT_ARN = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:lemon-webhooks-signature-AbCdEf";

interface StoredVersion extends FakeSecretVersion {
  readonly versionId: string;
}

function faultReply(fault: SecretsManagerFault): JsonReply {
  if (fault === "throttle") return awsError(400, "ThrottlingException", "Rate exceeded");
  if (fault === "access-denied") return awsError(400, "AccessDeniedException", "not authorized");
  return awsError(500, "InternalServiceError", "injected failure");
}

/**
 * Starts the fake on 127.0.0.1.
 *
 * @example
 * const sm = await startFakeSecretsManager({ versions: [{ secret: "s1", createdAt: new Date() }] });
 * sm.putSecretValue("s2"); // rotation
 * await sm.close();
 */
export async function startFakeSecretsManager(
  options: FakeSecretsManagerOptions,
): Promise<FakeSecretsManager> {
  const arn = options.arn ?? DEFAULT_ARN;
  const name = arn.split(":secret:")[1] ?? arn;
  const versions: StoredVersion[] = options.versions.map((v) => ({ ...v, versionId: randomUUID() }));
  const calls: SecretRequestRecord[] = [];
  const faults = new FaultPlan<SecretsManagerFault>();

  const getSecretValue = (input: Record<string, unknown>): JsonReply => {
    const secretId = typeof input.SecretId === "string" ? input.SecretId : "";
    const versionStage = typeof input.VersionStage === "string" ? input.VersionStage : "AWSCURRENT";
    calls.push({ secretId, versionStage });
    const fault = faults.take();
    if (fault !== undefined) return faultReply(fault);
    if (secretId !== arn && secretId !== name) {
      return awsError(400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
    }
    const index =
      versionStage === "AWSCURRENT"
        ? versions.length - 1
        : versionStage === "AWSPREVIOUS"
          ? versions.length - 2
          : -1;
    const version = versions[index];
    if (version === undefined) {
      return awsError(
        400,
        "ResourceNotFoundException",
        `Secrets Manager can't find the specified secret value for staging label: ${versionStage}`,
      );
    }
    return {
      status: 200,
      body: {
        ARN: arn,
        Name: name,
        VersionId: version.versionId,
        SecretString: version.secret,
        VersionStages: [versionStage],
        CreatedDate: version.createdAt.getTime() / 1000,
      },
    };
  };

  const running = await startJsonServer({
    ...AWS_JSON_PROTOCOLS["secrets-manager"],
    operations: { GetSecretValue: getSecretValue },
    ...(options.port === undefined ? {} : { port: options.port }),
  });
  return {
    endpoint: running.endpoint,
    arn,
    calls,
    putSecretValue: (secret, createdAt = new Date()) => {
      versions.push({ secret, createdAt, versionId: randomUUID() });
    },
    failNext: (count, fault = "unavailable") => faults.failNext(count, fault),
    failFor: (durationMs, fault = "unavailable") => faults.failFor(durationMs, fault),
    failRandomly: (random) => faults.failRandomly(random),
    injectedFaults: () => faults.injected(),
    clearFaults: () => faults.clear(),
    close: running.close,
  };
}
