/**
 * A stable webhook URL: an API Gateway custom domain (regional, TLS 1.2, dual-stack) mapped to the receiver's
 * API and stage, plus Route 53 alias records when a hosted zone is given. The registration then uses
 * `https://<domain>/<route path>`, which does not change when the API is replaced, so the webhook is not
 * re-registered.
 *
 * Dual-stack: an HTTP API custom domain answers IPv4 only unless its `ipAddressType` is `dualstack` (the
 * default is IPv4; AWS recommends dual-stack). The domain is created dual-stack, so both an `A` and an `AAAA`
 * alias record point at it; an `AAAA` alias to an IPv4-only domain would resolve to nothing.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ReceiverArgsError } from "./validate";

/** The receiver's `domain` argument. */
export interface ReceiverDomain {
  /** Lowercase hostname lemon.markets delivers to, e.g. `hooks.example.com` (no scheme, path or trailing dot). */
  readonly name: string;
  /** ACM certificate for `name`, in the receiver's region (a regional API Gateway domain needs that). */
  readonly certificateArn: pulumi.Input<string>;
  /** Route 53 hosted zone to create the `A`/`AAAA` alias records in. Default: none (point DNS yourself). */
  readonly hostedZoneId?: pulumi.Input<string>;
}

const LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const ACM_ARN = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):\d{12}:certificate\/[A-Za-z0-9-]+$/;

/** Why `name` is not a usable hostname, or undefined. */
export function hostnameProblem(name: unknown): string | undefined {
  if (typeof name !== "string" || name === "") return "must be a hostname such as hooks.example.com";
  if (name.includes("://") || name.includes("/"))
    return `must be a bare hostname without scheme or path (got ${JSON.stringify(name)}); e.g. "hooks.example.com"`;
  if (name.endsWith("."))
    return `must not end with a dot (got ${JSON.stringify(name)}); drop the trailing "."`;
  if (name !== name.toLowerCase())
    return `must be lowercase (got ${JSON.stringify(name)}); use "${name.toLowerCase()}"`;
  if (name.length > 253) return `is ${name.length} characters; a hostname has at most 253`;
  const labels = name.split(".");
  if (labels.length < 2)
    return `must have at least two labels (got ${JSON.stringify(name)}); e.g. "hooks.example.com"`;
  for (const label of labels) {
    if (label.length > 63)
      return `label "${label.slice(0, 20)}…" is ${label.length} characters; a label has at most 63`;
    if (!LABEL.test(label))
      return `label ${JSON.stringify(label)} must be letters, digits and '-', not starting or ending with '-'`;
  }
  return undefined;
}

/** Why `arn` is not an ACM certificate ARN in `region` (when known), or undefined. */
export function certificateProblem(arn: string, region: string | undefined): string | undefined {
  const match = ACM_ARN.exec(arn);
  if (match === null)
    return `must be an ACM certificate ARN, arn:aws:acm:<region>:<account>:certificate/<id> (got ${JSON.stringify(arn)})`;
  const certRegion = match[1];
  if (region !== undefined && certRegion !== region) {
    return `is in ${certRegion} but the receiver is in ${region}: a regional API Gateway domain needs a certificate in its own region; request or import one in ${region} with ACM`;
  }
  return undefined;
}

/**
 * Checks the `domain` argument before anything is registered. `region` is the receiver's when known as a string
 * at construction (the `aws:region` config of the default provider); the certificate's region is checked again
 * against the deployed region when both are known.
 */
export function validateDomain(domain: unknown, region: string | undefined): ReceiverDomain | undefined {
  if (domain === undefined) return undefined;
  if (domain === null || typeof domain !== "object") {
    throw new ReceiverArgsError(
      "domain",
      `must be { name: "hooks.example.com", certificateArn, hostedZoneId? }`,
    );
  }
  const d = domain as Partial<ReceiverDomain>;
  const nameIssue = hostnameProblem(d.name);
  if (nameIssue !== undefined) throw new ReceiverArgsError("domain.name", nameIssue);
  if (d.certificateArn === undefined || d.certificateArn === null || d.certificateArn === "") {
    throw new ReceiverArgsError(
      "domain.certificateArn",
      `is required: the ARN of an ACM certificate for ${d.name} in the receiver's region`,
    );
  }
  if (typeof d.certificateArn === "string") {
    const issue = certificateProblem(d.certificateArn, region);
    if (issue !== undefined) throw new ReceiverArgsError("domain.certificateArn", issue);
  }
  return d as ReceiverDomain;
}

/** The custom domain's resources. */
export interface DomainResources {
  readonly domainName: aws.apigatewayv2.DomainName;
  readonly mapping: aws.apigatewayv2.ApiMapping;
  /** `A` and `AAAA` aliases; empty without `hostedZoneId`. */
  readonly records: aws.route53.Record[];
  /** `https://<name><routePath>`. */
  readonly url: string;
}

/** Creates `<name>-domain`, `<name>-domain-mapping` and, with a zone, `<name>-domain-a` / `-aaaa`. */
export function createDomain(
  name: string,
  domain: ReceiverDomain,
  target: {
    readonly apiId: pulumi.Input<string>;
    readonly stage: aws.apigatewayv2.Stage;
    readonly routePath: string;
    /** The deployed region, for the certificate check at deploy time. */
    readonly region: pulumi.Input<string>;
  },
  tags: Readonly<Record<string, string>>,
  parent: pulumi.Resource,
): DomainResources {
  const certificateArn = pulumi.all([domain.certificateArn, target.region]).apply(([arn, region]) => {
    const issue = certificateProblem(arn, region);
    if (issue !== undefined) throw new ReceiverArgsError("domain.certificateArn", issue);
    return arn;
  });
  const domainName = new aws.apigatewayv2.DomainName(
    `${name}-domain`,
    {
      domainName: domain.name,
      domainNameConfiguration: {
        certificateArn,
        endpointType: "REGIONAL",
        securityPolicy: "TLS_1_2",
        ipAddressType: "dualstack",
      },
      tags: { ...tags },
    },
    { parent },
  );
  const mapping = new aws.apigatewayv2.ApiMapping(
    `${name}-domain-mapping`,
    { apiId: target.apiId, domainName: domainName.domainName, stage: target.stage.name },
    { parent },
  );
  const records =
    domain.hostedZoneId === undefined
      ? []
      : (["A", "AAAA"] as const).map(
          (type) =>
            new aws.route53.Record(
              `${name}-domain-${type.toLowerCase()}`,
              {
                zoneId: domain.hostedZoneId as pulumi.Input<string>,
                name: domain.name,
                type,
                aliases: [
                  {
                    name: domainName.domainNameConfiguration.targetDomainName.apply((t) => t ?? ""),
                    zoneId: domainName.domainNameConfiguration.hostedZoneId.apply((z) => z ?? ""),
                    evaluateTargetHealth: false,
                  },
                ],
              },
              { parent },
            ),
        );
  return { domainName, mapping, records, url: `https://${domain.name}${target.routePath}` };
}
