/**
 * Where verified events go: an EventBridge bus (new, or an existing one) and a replay archive of the events
 * this receiver forwards (the forwarder puts them there, from the table's stream). Consumers attach with
 * {@link LemonWebhookReceiver.subscribe}.
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { EVENT_SOURCE } from "../../contract/events-table";
import type { ExistingEventBus, ResolvedReceiverArgs } from "./args";

/** The `source` of every event the forwarder puts on the bus (one definition: contract/events-table.ts). */
export { EVENT_SOURCE };

/** The bus and archive. `bus` is undefined when an existing bus was passed in. */
export interface FanOut {
  readonly bus: aws.cloudwatch.EventBus | undefined;
  readonly eventBusName: pulumi.Input<string>;
  readonly eventBusArn: pulumi.Input<string>;
  readonly archive: aws.cloudwatch.EventArchive;
}

/** EventBridge pattern matching lemon.markets events, optionally of the given types only. */
export function eventPattern(eventTypes?: readonly string[]): string {
  return JSON.stringify(
    eventTypes === undefined
      ? { source: [EVENT_SOURCE] }
      : { source: [EVENT_SOURCE], "detail-type": [...eventTypes] },
  );
}

/** Creates the bus (unless `existing` is given) and the archive. */
export function createFanOut(
  name: string,
  args: ResolvedReceiverArgs,
  existing: ExistingEventBus | undefined,
  tags: Readonly<Record<string, string>>,
  parent: pulumi.Resource,
): FanOut {
  const bus =
    existing === undefined
      ? new aws.cloudwatch.EventBus(`${name}-bus`, { tags: { ...tags } }, { parent })
      : undefined;
  const { name: eventBusName, arn: eventBusArn }: ExistingEventBus =
    existing ?? (bus as aws.cloudwatch.EventBus);
  const archive = new aws.cloudwatch.EventArchive(
    `${name}-archive`,
    {
      eventSourceArn: eventBusArn,
      // Only what this receiver forwarded: on a shared bus the archive must not collect everyone's events.
      eventPattern: eventPattern(),
      retentionDays: args.archiveRetentionDays,
      description: `Replay archive of lemon.markets events forwarded by receiver ${name}`,
    },
    { parent },
  );
  return { bus, eventBusName, eventBusArn, archive };
}
