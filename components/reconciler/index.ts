/** The opt-in scheduled reconciler component. */

export {
  defaultReconcilerBundleDir,
  RECONCILER_BUNDLE_RELATIVE_DIR,
  reconcilerBundleProblem,
} from "../shared/bundles";
export {
  createReconcilerAlarms,
  notRunningAlarmPeriodSeconds,
  type ReconcilerAlarms,
} from "./alarms";
export {
  type LemonEventReconcilerArgs,
  RECONCILER_DEFAULTS,
  type ReceiverReconcilerOptions,
  ReconcilerArgsError,
  type ReconcilerSettingsArgs,
  type ReconcilerTargets,
  type ResolvedReconcilerArgs,
  reconcilerSettings,
  resolveReconcilerApiKey,
  validateReconcilerArgs,
} from "./args";
export {
  accountOfArn,
  reconcilerPolicyStatements,
  schedulerAssumeRolePolicy,
  schedulerPolicyDocument,
} from "./policy";
export {
  LemonEventReconciler,
  RECONCILER_TYPE,
  reconcilerEnvironment,
} from "./reconciler";
export { reconcilerFromConfig } from "./stack-config";
