/**
 * The AWS partitions: which regions belong to each (a region pattern) and the DNS suffix of its regional
 * endpoints (`https://<service>.<region>.<dnsSuffix>`). Copied from the AWS SDK v3's partitions data
 * (`@aws-sdk/core`, util-endpoints `partitions.js`, the `partitions.json` of the SDKs); the endpoint rule
 * sets of Secrets Manager, DynamoDB and EventBridge build their default endpoint from exactly these.
 * tests/lambda/aws/aws-protocol.test.ts compares this table with the installed SDK's file, so a new partition
 * fails the test instead of silently resolving to `amazonaws.com`.
 */

/** One partition: its id, the pattern of its region names and its endpoints' DNS suffix. */
export interface AwsPartition {
  readonly id: string;
  readonly regionRegex: string;
  readonly dnsSuffix: string;
}

/** In the SDK's order; a region matching none is in `aws`, as in the SDK. */
export const AWS_PARTITIONS: readonly AwsPartition[] = [
  { id: "aws", regionRegex: "^(us|eu|ap|sa|ca|me|af|il|mx)\\-\\w+\\-\\d+$", dnsSuffix: "amazonaws.com" },
  { id: "aws-cn", regionRegex: "^cn\\-\\w+\\-\\d+$", dnsSuffix: "amazonaws.com.cn" },
  { id: "aws-eusc", regionRegex: "^eusc\\-(de)\\-\\w+\\-\\d+$", dnsSuffix: "amazonaws.eu" },
  { id: "aws-iso", regionRegex: "^us\\-iso\\-\\w+\\-\\d+$", dnsSuffix: "c2s.ic.gov" },
  { id: "aws-iso-b", regionRegex: "^us\\-isob\\-\\w+\\-\\d+$", dnsSuffix: "sc2s.sgov.gov" },
  { id: "aws-iso-e", regionRegex: "^eu\\-isoe\\-\\w+\\-\\d+$", dnsSuffix: "cloud.adc-e.uk" },
  { id: "aws-iso-f", regionRegex: "^us\\-isof\\-\\w+\\-\\d+$", dnsSuffix: "csp.hci.ic.gov" },
  { id: "aws-us-gov", regionRegex: "^us\\-gov\\-\\w+\\-\\d+$", dnsSuffix: "amazonaws.com" },
];

const MATCHERS = AWS_PARTITIONS.map((partition) => ({
  pattern: new RegExp(partition.regionRegex),
  partition,
}));

/**
 * The partition of `region`: the first whose pattern matches, else `aws` (the SDK's fallback).
 *
 * @example
 * partitionOf("eusc-de-east-1").dnsSuffix; // "amazonaws.eu"
 */
export function partitionOf(region: string): AwsPartition {
  return (MATCHERS.find(({ pattern }) => pattern.test(region)) ?? MATCHERS[0]!).partition;
}
