/**
 * The WebhookRegistration dynamic provider, mapping Pulumi's resource lifecycle onto lemon.markets:
 *
 *   configure → remember the stack config (the API key is read from it at every operation)
 *   check     → validate and normalise url/events/apiBaseUrl (no API call)
 *   diff      → compare inputs only: url/events/apiBaseUrl replace, privacy headers update in place
 *   create    → GET /v1/webhooks, then POST /v1/webhooks once (lost answer → list and adopt)
 *   read      → GET /v1/webhooks through every page; a missing id reports the webhook gone
 *   update    → no API call: only state-only properties change in place
 *   delete    → DELETE /v1/webhooks/{id}; 404 means already gone, which is success
 *
 * Why every method `require`s its implementation instead of importing it: Pulumi serializes this object
 * (its fields, class and everything its methods reference) into the `__provider` property of every
 * WebhookRegistration in state, and Pulumi's provider host revives that text in another process with
 * `require-from-string`. A module-level import would be serialized by value — large, and brittle — and a
 * value computed in the program (such as an API key) would end up in state. So the class holds only where
 * the implementation lives ({@link ProviderLocation}, no secrets) and loads it at run time, in whatever
 * process runs the method, from the program's working directory: the installed `lemon-webhooks` package
 * (compiled JS in `node_modules`), or this repository's sources (TypeScript, compiled on the fly by ts-node
 * as Pulumi does for the program itself). Paths are relative to the package root, never absolute, so state
 * written on one machine is destroyed from another.
 */
import type * as pulumi from "@pulumi/pulumi";
import type * as Operations from "./operations";
import type { RegistrationOutputs } from "./types";

/** Where the provider's implementation lives, relative to the root of the package that contains it. */
export interface ProviderLocation {
  /** `name` in the package's `package.json`, e.g. `lemon-webhooks`. */
  readonly packageName: string;
  /**
   * Path of the operations module from the package root, POSIX separators, no extension:
   * `components/registration/operations` (sources) or `dist/components/registration/operations` (built).
   */
  readonly operationsModule: string;
  /** The module is TypeScript source, so a process without a `.ts` loader registers ts-node first. */
  readonly typescript: boolean;
}

type Props = Record<string, unknown>;

/**
 * The provider object handed to `pulumi.dynamic.Resource`. Serializable by design: one field, methods that
 * reference nothing but `this` and `require`.
 */
export class WebhookRegistrationProvider
  implements pulumi.dynamic.ResourceProvider<Props, RegistrationOutputs>
{
  /** Where {@link operations} loads the implementation from. */
  readonly location: ProviderLocation;

  constructor(location: ProviderLocation) {
    this.location = location;
  }

  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    this.operations().configure(this, req.config);
  }

  async check(_olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult<Props>> {
    return this.operations().check(news);
  }

  async diff(_id: string, olds: RegistrationOutputs, news: Props): Promise<pulumi.dynamic.DiffResult> {
    return this.operations().diff({ ...olds }, news);
  }

  async create(inputs: Props): Promise<pulumi.dynamic.CreateResult<RegistrationOutputs>> {
    return this.operations().create(this, inputs);
  }

  async read(
    id: string,
    props?: RegistrationOutputs,
  ): Promise<pulumi.dynamic.ReadResult<RegistrationOutputs>> {
    return this.operations().read(this, id, { ...props });
  }

  async update(
    id: string,
    olds: RegistrationOutputs,
    news: Props,
  ): Promise<pulumi.dynamic.UpdateResult<RegistrationOutputs>> {
    return this.operations().update(id, { ...olds }, news);
  }

  async delete(id: string, props: RegistrationOutputs): Promise<void> {
    return this.operations().remove(this, id, { ...props });
  }

  /**
   * Loads the operations module in the current process. Tried roots, in order: the package as installed
   * for the program (`<cwd>/node_modules/<packageName>`, or wherever Node resolves it from the cwd), then
   * the nearest directory at or above the cwd whose `package.json` is this package (running from its repo).
   */
  operations(): typeof Operations {
    const path = require("node:path") as typeof import("node:path");
    const fs = require("node:fs") as typeof import("node:fs");
    const { packageName, operationsModule, typescript } = this.location;
    const cwd = process.cwd();
    const roots: string[] = [];
    try {
      roots.push(path.dirname(require.resolve(`${packageName}/package.json`, { paths: [cwd] })));
    } catch {
      // Not installed as a dependency of the program: look for the package's own checkout below.
    }
    for (let dir = cwd; ; dir = path.dirname(dir)) {
      const manifest = path.join(dir, "package.json");
      if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, "utf8")).name === packageName) {
        roots.push(dir);
      }
      if (path.dirname(dir) === dir) break;
    }
    const resolve = (file: string): string | undefined => {
      try {
        return require.resolve(file);
      } catch {
        return undefined;
      }
    };
    for (const root of roots) {
      const file = path.join(root, ...operationsModule.split("/"));
      let resolved = resolve(file);
      if (resolved === undefined && typescript && fs.existsSync(`${file}.ts`)) {
        // The provider host is plain Node: compile the sources the way the Pulumi program itself was run.
        const tsNode = require(
          require.resolve("ts-node", { paths: [root, cwd] }),
        ) as typeof import("ts-node");
        tsNode.register({ transpileOnly: true, project: path.join(root, "tsconfig.json") });
        resolved = resolve(file);
      }
      if (resolved !== undefined) return require(resolved) as typeof Operations;
    }
    throw new Error(
      `WebhookRegistration provider: cannot find ${packageName}/${operationsModule} from ${cwd}; ` +
        `install ${packageName} in the Pulumi program's project (npm install ${packageName})` +
        (typescript ? " or run the program from the package's checkout with ts-node available" : ""),
    );
  }
}
