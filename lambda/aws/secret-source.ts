/**
 * The signature secret from Secrets Manager (`GetSecretValue` by ARN and staging label). The SecretString is
 * the plain signature secret, as the component stores it.
 */
import type { Deadline } from "../core/deadline";
import { DependencyUnavailableError } from "../core/errors";
import type { SecretSource, SecretVersion } from "../core/ports";
import type { AwsJsonClient } from "./json-client";

interface GetSecretValueOutput {
  readonly SecretString?: unknown;
  /** Epoch seconds in the JSON protocol. */
  readonly CreatedDate?: unknown;
}

function toVersion(output: GetSecretValueOutput): SecretVersion {
  const created = typeof output.CreatedDate === "number" ? new Date(output.CreatedDate * 1000) : undefined;
  if (typeof output.SecretString !== "string" || output.SecretString === "") {
    // Binary or empty secret: a deployment fault, reported by code only (the value is never echoed).
    throw new DependencyUnavailableError("secrets-manager", "NoSecretString");
  }
  if (created === undefined || Number.isNaN(created.getTime())) {
    throw new DependencyUnavailableError("secrets-manager", "NoCreatedDate");
  }
  return { value: output.SecretString, createdAt: created };
}

/** {@link SecretSource} on Secrets Manager. */
export class SecretsManagerSecretSource implements SecretSource {
  constructor(
    private readonly client: AwsJsonClient,
    private readonly secretArn: string,
  ) {}

  async current(deadline?: Deadline): Promise<SecretVersion> {
    const result = await this.client.call<GetSecretValueOutput>(
      "GetSecretValue",
      { SecretId: this.secretArn, VersionStage: "AWSCURRENT" },
      [],
      deadline,
    );
    if (!result.ok) throw new DependencyUnavailableError("secrets-manager", result.errorType);
    return toVersion(result.value);
  }

  async previous(deadline?: Deadline): Promise<SecretVersion | undefined> {
    // A secret never rotated has no AWSPREVIOUS; Secrets Manager answers ResourceNotFoundException for it.
    const result = await this.client.call<GetSecretValueOutput>(
      "GetSecretValue",
      { SecretId: this.secretArn, VersionStage: "AWSPREVIOUS" },
      ["ResourceNotFoundException"],
      deadline,
    );
    return result.ok ? toVersion(result.value) : undefined;
  }
}
