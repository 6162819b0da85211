/**
 * Which providers the receiver's children get, and the rule that keeps them in one region and account.
 *
 * The signature-secret container is an aws-native (Cloud Control) resource; everything else, including the
 * secret's value and the Lambda that reads it, is classic aws. Children inherit providers by package from the
 * component, so a program that passes only its own `aws` provider (another region or account) would get the
 * container from the default aws-native provider, somewhere else, and every GetSecretValue would fail. A
 * provider's credentials (profile, assumed role, environment) are not readable from a Provider resource and
 * its region is an Output, so an aws-native provider cannot be derived reliably: a one-sided explicit provider
 * is refused before anything is registered, and the default providers' regions are compared from config. What
 * only the deployment can know (two explicit providers in different regions or accounts) is caught by
 * {@link secretBesideTable} before the Lambda is created.
 */
import * as aws from "@pulumi/aws";
import * as awsNative from "@pulumi/aws-native";
import * as pulumi from "@pulumi/pulumi";
import { ReceiverArgsError } from "./validate";

/** The explicit providers the component's children will use; undefined means the package's default provider. */
export interface ReceiverProviders {
  readonly aws: pulumi.ProviderResource | undefined;
  readonly awsNative: pulumi.ProviderResource | undefined;
}

const FIX =
  'pass both, with the same region and credentials: { providers: { aws: awsProvider, "aws-native": awsNativeProvider } }';

function packageOf(provider: pulumi.ProviderResource): "aws" | "aws-native" | undefined {
  if (aws.Provider.isInstance(provider)) return "aws";
  if (awsNative.Provider.isInstance(provider)) return "aws-native";
  return undefined;
}

/**
 * The providers children resolve from `opts`, in the engine's order of priority (lowest first): inherited from
 * `opts.parent`, `opts.providers` (array or map), `opts.provider`. Throws for a map entry whose key is not the
 * provider's package (the engine would hand e.g. an aws provider to aws-native resources).
 */
export function receiverProviders(opts: pulumi.ComponentResourceOptions): ReceiverProviders {
  const found: { aws?: pulumi.ProviderResource; "aws-native"?: pulumi.ProviderResource } = {
    aws: opts.parent?.getProvider("aws::"),
    "aws-native": opts.parent?.getProvider("aws-native::"),
  };
  const take = (provider: pulumi.ProviderResource, key?: string) => {
    const pkg = packageOf(provider);
    if (key !== undefined && (key === "aws" || key === "aws-native") && pkg !== key) {
      throw new ReceiverArgsError(
        `providers.${key}`,
        `must be a ${key === "aws" ? "aws.Provider" : "awsNative.Provider"}, got a provider of another package`,
      );
    }
    if (pkg !== undefined) found[pkg] = provider;
  };
  const { providers } = opts;
  if (Array.isArray(providers)) {
    for (const provider of providers) take(provider);
  } else if (providers !== undefined) {
    for (const [key, provider] of Object.entries(providers)) take(provider, key);
  }
  if (opts.provider !== undefined) take(opts.provider);
  return { aws: found.aws, awsNative: found["aws-native"] };
}

/** The region a default provider will use: its config key, else `AWS_REGION`, else `AWS_DEFAULT_REGION`. */
function defaultRegion(configRegion: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  return configRegion || env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined;
}

/**
 * Refuses provider settings under which the secret container (aws-native) and the rest (aws) could land in
 * different regions or accounts. `regions` are the `aws:region` and `aws-native:region` stack config values.
 */
export function validateProviders(
  providers: ReceiverProviders,
  regions: { readonly aws: string | undefined; readonly awsNative: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
): void {
  if (providers.aws !== undefined && providers.awsNative === undefined) {
    throw new ReceiverArgsError(
      "providers",
      `an explicit aws provider without an aws-native one: the signature secret (aws-native) would be created by the default aws-native provider, possibly in another region or account, where the receiver can never read it; ${FIX}`,
    );
  }
  if (providers.awsNative !== undefined && providers.aws === undefined) {
    throw new ReceiverArgsError(
      "providers",
      `an explicit aws-native provider without an aws one: everything but the signature secret would be created by the default aws provider, possibly in another region or account; ${FIX}`,
    );
  }
  if (providers.aws !== undefined) return;
  const awsRegion = defaultRegion(regions.aws, env);
  const awsNativeRegion = defaultRegion(regions.awsNative, env);
  if (awsRegion !== undefined && awsNativeRegion !== undefined && awsRegion !== awsNativeRegion) {
    throw new ReceiverArgsError(
      "providers",
      `the default providers are in different regions (aws: ${awsRegion}, aws-native: ${awsNativeRegion}), so the signature secret would not be where the receiver reads it; set aws:region and aws-native:region to the same value (pulumi config set aws-native:region ${awsRegion}), or ${FIX}`,
    );
  }
}

/** Region and account of an ARN (`arn:<partition>:<service>:<region>:<account>:…`). */
function regionAndAccount(arn: string): string {
  const [, partition, , region, account] = arn.split(":");
  return `${partition}:${region}:${account}`;
}

/**
 * Throws unless the secret (aws-native) lives in the partition, region and account of the dedupe table (aws):
 * the receiver Lambda reads both with one role in one region. Returns `secretArn`.
 */
export function assertSecretBesideTable(secretArn: string, tableArn: string): string {
  if (regionAndAccount(secretArn) !== regionAndAccount(tableArn)) {
    throw new ReceiverArgsError(
      "providers",
      `the signature secret ${secretArn} (aws-native provider) is not in the region and account of the dedupe table ${tableArn} (aws provider), so the receiver could never read it; ${FIX}`,
    );
  }
  return secretArn;
}

/**
 * `secretArn`, once the deployment has shown it is beside the table ({@link assertSecretBesideTable}). Feeding
 * the Lambda this Output stops the deployment before the Lambda (and so the registration) exists when the
 * providers disagree in a way only the deployment can see (two explicit providers, a profile's region).
 */
export function secretBesideTable(
  secretArn: pulumi.Input<string>,
  tableArn: pulumi.Input<string>,
): pulumi.Output<string> {
  return pulumi.all([secretArn, tableArn]).apply(([secret, table]) => assertSecretBesideTable(secret, table));
}
