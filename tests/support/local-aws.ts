/** Real AWS adapters pointed at the local fakes. */

import { AwsJsonClient } from "../../lambda/aws/json-client";
import type { Dependency } from "../../lambda/core/errors";
import { LOCAL_CREDENTIALS } from "../../local";

/** A signed JSON client for `dependency` at `endpoint` with the local dummy credentials. */
export function clientFor(dependency: Dependency, endpoint: string, timeoutMs?: number): AwsJsonClient {
  return new AwsJsonClient({
    dependency,
    endpoint: new URL(endpoint),
    region: "eu-central-1",
    credentials: LOCAL_CREDENTIALS,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
}

/** An endpoint nothing listens on (port 9 is "discard", closed on test machines). */
export const DEAD_ENDPOINT = "http://127.0.0.1:9";
