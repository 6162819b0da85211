/**
 * A consumer's Pulumi program, written as docs/deploy.md tells users to: the package imported by name, one
 * receiver, one subscription to the consumer's own function.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LemonWebhookReceiver } from "lemon-webhooks";

const receiver = new LemonWebhookReceiver("shop", { events: ["order.executed", "order.rejected"] });

const role = new aws.iam.Role("orders-role", {
  assumeRolePolicy: JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
    ],
  }),
});
const orders = new aws.lambda.Function("orders", {
  runtime: aws.lambda.Runtime.NodeJS22dX,
  handler: "index.handler",
  role: role.arn,
  code: new pulumi.asset.AssetArchive({
    "index.js": new pulumi.asset.StringAsset(
      "exports.handler = async (event) => console.log(event.detail.id);",
    ),
  }),
});

receiver.subscribe("orders", { eventTypes: ["order.executed"], target: orders });

export const webhookUrl = receiver.endpointUrl;
export const bus = receiver.eventBusName;
