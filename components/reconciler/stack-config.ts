/**
 * Stack config → the receiver's `reconciler` argument, for the stack program (`index.ts`). The reconciler is
 * ON unless `lemon-webhooks:reconciler` is `false`: a deployment should not silently lose events.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ReceiverReconcilerOptions } from "./args";

/**
 * Reads `lemon-webhooks:reconciler` (boolean, default true), `reconcilerIntervalMinutes`,
 * `reconcilerOverlapSeconds` and `reconcilerSettleSeconds`. Returns `false` when disabled, else the options (unset keys keep the defaults).
 *
 * @example
 * new LemonWebhookReceiver("lemon", { ...receiverArgsFromConfig(), reconciler: reconcilerFromConfig() });
 */
export function reconcilerFromConfig(
  config = new pulumi.Config("lemon-webhooks"),
): false | ReceiverReconcilerOptions {
  if (config.getBoolean("reconciler") === false) return false;
  return {
    intervalMinutes: config.getNumber("reconcilerIntervalMinutes"),
    overlapSeconds: config.getNumber("reconcilerOverlapSeconds"),
    settleSeconds: config.getNumber("reconcilerSettleSeconds"),
  };
}
