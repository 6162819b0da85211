/**
 * Facts about the lemon.markets API that the deploy-time client and the reconciler Lambda both need.
 * Dependency-free (it is bundled).
 */

/** The sandbox API root (the default everywhere: deploy, reconciler, CLI). */
export const SANDBOX_BASE_URL = "https://sandbox.api.lemon.markets/v1";

/** The production API root: real accounts, real money. */
export const PRODUCTION_BASE_URL = "https://api.lemon.markets/v1";
