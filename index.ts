/**
 * The stack program: one LemonWebhookReceiver configured from stack config (see docs/deploy.md), its
 * outputs exported. `pulumi up` registers the webhook and deploys the receiver.
 */
import * as pulumi from "@pulumi/pulumi";
import { LemonWebhookReceiver } from "./components";
import { reconcilerFromConfig } from "./components/reconciler/stack-config";
import { receiverArgsFromConfig } from "./components/stack-config";

// The reconciler is on by default (`lemon-webhooks:reconciler: false` turns it off): see docs/operations.md.
const receiver = new LemonWebhookReceiver("lemon", {
  ...receiverArgsFromConfig(),
  reconciler: reconcilerFromConfig(),
});

/** The URL lemon.markets delivers to. */
export const endpointUrl = receiver.endpointUrl;
/** The registered webhook's id. */
export const webhookId = receiver.webhookId;
/** The Secrets Manager secret holding the signature secret (the ARN, never the value). */
export const secretArn = receiver.secretArn;
/** Where consumers attach rules. */
export const eventBusName = receiver.eventBusName;
export const eventBusArn = receiver.eventBusArn;
export const dedupeTableName = receiver.dedupeTableName;
export const apiId = receiver.apiId;
export const functionName = receiver.functionName;
/** The forwarder (table stream → bus) and the queue of stored events it gave up on (see `reforward`). */
export const forwarderFunctionName = receiver.forwarderFunctionName;
export const forwardFailureQueueUrl = receiver.forwardFailureQueueUrl;
/** For `aws events start-replay`. */
export const archiveName = receiver.archiveName;
/**
 * Each subscription's rule ARN and event types (`lemon-webhooks replay --rule/--types`). This program
 * subscribes nothing, so it is `{}`; a program that subscribes exports it after its last `subscribe`.
 */
export const subscriptions = receiver.subscriptionRules();
export const alarmTopicArn = receiver.alarmTopicArn;
/** The signature scheme the receiver verifies with (not secret); `send-test-event` signs with it. */
export const signatureScheme = pulumi.output(receiver.signatureScheme);
/** The CloudWatch dashboard (absent with `dashboard: false`). */
export const dashboardUrl = receiver.dashboardUrl;
/** For `lemon-webhooks status`: the registered event types, every alarm's name, the reconciler's function. */
export const events = pulumi.output(receiver.events);
export const alarmNames = receiver.alarmNames;
/** Subscription name → dead-letter queue URL (export after the last `receiver.subscribe`; none here). */
export const deadLetterQueueUrls = receiver.deadLetterQueueUrls;
export const reconcilerFunctionName = receiver.reconciler?.functionName;
