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
 * value computed in the program (such as an API key) would end up in state. So the class holds only the
 * package's name ({@link ProviderLocation}, no secrets, no paths) and loads the implementation at run time,
 * in whatever process runs the method, from the program's working directory.
 *
 * COMPATIBILITY CONTRACT: Pulumi keeps the provider text stored with a resource while its inputs do not
 * change, and refresh and destroy run that stored text. So the two module paths {@link operations} tries, and
 * the function names it calls, are read by provider code already sitting in users' state: never move or
 * rename `components/registration/operations.ts` (emitted as `dist/components/registration/operations.js`)
 * or its exports. tests/components/registration/contract.test.ts pins them.
 */
import type * as pulumi from "@pulumi/pulumi";
import type * as Operations from "./operations";
import type { RegistrationOutputs } from "./types";

/** What the serialized provider remembers: only which package to load the implementation from. */
export interface ProviderLocation {
  /** `name` in the package's `package.json`, e.g. `lemon-webhooks`. */
  readonly packageName: string;
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
   * Loads the operations module in the current process. Package roots, in order: the package as Node
   * resolves it from the cwd (an install in the program's `node_modules`; from inside this repository the
   * package's self-reference, i.e. the checkout), then each directory at or above the cwd whose `package.json`
   * carries the package's name (a checkout). A root holding the TypeScript sources is a checkout and runs them
   * (ts-node registered when the process has no `.ts` loader): its `dist/` may be older than the sources. A
   * root without them is an installed package and runs its build. The fixed paths below are the compatibility
   * contract described at the top of this file; nothing stored with the resource chooses between them.
   */
  operations(): typeof Operations {
    const path = require("node:path") as typeof import("node:path");
    const fs = require("node:fs") as typeof import("node:fs");
    const SOURCE = "components/registration/operations"; // + ".ts"
    const BUILT = "dist/components/registration/operations.js";
    const { packageName } = this.location;
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
    const loadSource = (root: string): typeof Operations | undefined => {
      const withoutExtension = path.join(root, ...SOURCE.split("/"));
      const viaLoader = (): string | undefined => {
        try {
          // Resolves to the .ts file only when a TypeScript loader (ts-node, jest) is active.
          const resolved = require.resolve(withoutExtension);
          return resolved.endsWith(".ts") ? resolved : undefined;
        } catch {
          return undefined;
        }
      };
      let resolved = viaLoader();
      if (resolved === undefined) {
        let tsNode: typeof import("ts-node");
        try {
          tsNode = require(require.resolve("ts-node", { paths: [root, cwd] })) as typeof import("ts-node");
        } catch {
          return undefined; // No ts-node (a linked checkout without devDependencies): use its build.
        }
        // The provider host is plain Node: compile the sources the way the Pulumi program itself was run.
        tsNode.register({ transpileOnly: true, project: path.join(root, "tsconfig.json") });
        resolved = viaLoader();
      }
      return resolved === undefined ? undefined : (require(resolved) as typeof Operations);
    };
    for (const root of roots) {
      if (fs.existsSync(`${path.join(root, ...SOURCE.split("/"))}.ts`)) {
        const source = loadSource(root);
        if (source !== undefined) return source;
      }
      const built = path.join(root, ...BUILT.split("/"));
      if (fs.existsSync(built)) return require(built) as typeof Operations;
    }
    throw new Error(
      `WebhookRegistration provider: cannot find ${packageName}/${BUILT} (or the checkout's ${SOURCE}.ts) from ${cwd}; ` +
        `install ${packageName} in the Pulumi program's project (npm install ${packageName})`,
    );
  }
}
