/**
 * Where and as whom the AWS adapters call: region, credentials and endpoints from the standard Lambda
 * environment. The standard endpoint overrides (`AWS_ENDPOINT_URL_<SERVICE>`, then `AWS_ENDPOINT_URL`) let
 * the same bundle talk to local stand-ins: the sandbox picks them by configuration, not by code edits.
 */
import type { Env } from "../../contract/settings";
import { ConfigError } from "../core/errors";
import { partitionOf } from "./partitions";
import type { AwsCredentials } from "./sigv4";

/** The services the Lambdas call, plus the two the CLI's `status` reads (CloudWatch, SQS). */
export type AwsService = "secretsManager" | "dynamodb" | "eventBridge" | "cloudWatch" | "sqs";

/** Resolved AWS access settings. */
export interface AwsEnvironment {
  readonly region: string;
  readonly credentials: AwsCredentials;
  readonly endpoints: Readonly<Record<AwsService, URL>>;
}

const SERVICES: Readonly<Record<AwsService, { readonly envSuffix: string; readonly host: string }>> = {
  secretsManager: { envSuffix: "SECRETS_MANAGER", host: "secretsmanager" },
  dynamodb: { envSuffix: "DYNAMODB", host: "dynamodb" },
  eventBridge: { envSuffix: "EVENTBRIDGE", host: "events" },
  cloudWatch: { envSuffix: "CLOUDWATCH", host: "monitoring" },
  sqs: { envSuffix: "SQS", host: "sqs" },
};

function endpointFor(service: AwsService, region: string, env: Env, problems: string[]): URL {
  const { envSuffix, host } = SERVICES[service];
  const name = `AWS_ENDPOINT_URL_${envSuffix}`;
  const override = env[name]?.trim() || env.AWS_ENDPOINT_URL?.trim();
  const raw = override || `https://${host}.${region}.${partitionOf(region).dnsSuffix}`;
  try {
    const url = new URL(raw);
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new TypeError("protocol");
    return url;
  } catch {
    problems.push(
      `${name} (or AWS_ENDPOINT_URL) is not an http(s) URL; set it to e.g. http://127.0.0.1:4566`,
    );
    return new URL("http://invalid.invalid");
  }
}

/**
 * Reads `AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` and the endpoint
 * overrides; throws {@link ConfigError} naming what is missing (never echoing a credential).
 */
export function readAwsEnvironment(env: Env): AwsEnvironment {
  const problems: string[] = [];
  const required = (name: string) => {
    const value = env[name]?.trim() ?? "";
    if (value === "") problems.push(`${name} is not set; Lambda sets it, locally export it`);
    return value;
  };
  const region = required("AWS_REGION");
  const accessKeyId = required("AWS_ACCESS_KEY_ID");
  const secretAccessKey = required("AWS_SECRET_ACCESS_KEY");
  const sessionToken = env.AWS_SESSION_TOKEN?.trim() || undefined;
  const endpoints = {
    secretsManager: endpointFor("secretsManager", region, env, problems),
    dynamodb: endpointFor("dynamodb", region, env, problems),
    eventBridge: endpointFor("eventBridge", region, env, problems),
    cloudWatch: endpointFor("cloudWatch", region, env, problems),
    sqs: endpointFor("sqs", region, env, problems),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    region,
    credentials:
      sessionToken === undefined
        ? { accessKeyId, secretAccessKey }
        : { accessKeyId, secretAccessKey, sessionToken },
    endpoints,
  };
}
