/**
 * Embedded Metric Format lines into the local CloudWatch, as CloudWatch Logs extracts them: every metric of
 * every directive under exactly the dimension sets the line declares. Tests feed it the lines the Lambdas'
 * own EMF writers produce, so what a reader (`status`, the dashboard) queries is what the Lambdas really emit.
 */
import type { FakeCloudWatch } from "../../local/fake-cloudwatch";

interface EmfDirective {
  readonly Namespace: string;
  readonly Dimensions: readonly (readonly string[])[];
  readonly Metrics: readonly { readonly Name: string }[];
}

/** Puts the metrics of one EMF `line` into `cloudWatch` at the line's `_aws.Timestamp`. */
export function putEmfLine(cloudWatch: FakeCloudWatch, line: string): void {
  const document = JSON.parse(line) as Record<string, unknown> & {
    readonly _aws: { readonly Timestamp: number; readonly CloudWatchMetrics: readonly EmfDirective[] };
  };
  for (const directive of document._aws.CloudWatchMetrics) {
    for (const set of directive.Dimensions) {
      const dimensions = Object.fromEntries(set.map((name) => [name, String(document[name])]));
      for (const { Name } of directive.Metrics) {
        cloudWatch.put(
          { namespace: directive.Namespace, name: Name, dimensions },
          document._aws.Timestamp,
          Number(document[Name]),
        );
      }
    }
  }
}
