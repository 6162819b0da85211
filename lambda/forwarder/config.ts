/** Reads and validates the forwarder's environment (names in `FORWARDER_ENV_NAMES`, `../stored-event.ts`). */
import type { Env } from "../receiver/config";
import { ConfigError } from "../core/errors";
import { FORWARDER_ENV_NAMES } from "../../contract/events-table";

/** Validated forwarder settings. */
export interface ForwarderConfig {
  readonly eventBusName: string;
  readonly table: string;
}

/**
 * Validated config from `env`; throws {@link ConfigError} naming every missing variable.
 *
 * @example
 * readForwarderConfig({ LEMON_EVENT_BUS_NAME: "default", LEMON_DEDUPE_TABLE: "lemon-dedupe" });
 */
export function readForwarderConfig(env: Env): ForwarderConfig {
  const problems: string[] = [];
  const read = (name: string, what: string) => {
    const value = env[name]?.trim() ?? "";
    if (value === "") problems.push(`${name} is not set; set it to the ${what}`);
    return value;
  };
  const config = {
    eventBusName: read(FORWARDER_ENV_NAMES.eventBusName, "name of the EventBridge bus to forward to"),
    table: read(FORWARDER_ENV_NAMES.table, "name of the DynamoDB table events are stored in"),
  };
  if (problems.length > 0) throw new ConfigError(problems, "forwarder");
  return config;
}
