/**
 * The registered URL is what lemon.markets POSTs to, so it must be exactly the stage URL plus the route
 * path: the `$default` stage's invoke URL ends in `/` and the path starts with one.
 */

/** Joins a stage invoke URL and a route path without a double slash, e.g. `https://x/` + `/a` → `https://x/a`. */
export function endpointUrl(invokeUrl: string, routePath: string): string {
  return invokeUrl.replace(/\/+$/, "") + routePath;
}
