import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { BUILD_OUTPUTS, buildIsStale } from "../support/global-setup";

/** A tree with every build output and one source per source directory, all at `time` (seconds). */
function tree(time: number): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "lemon-stale-"));
  const files = [
    ...BUILD_OUTPUTS,
    "components/index.ts",
    "lambda/receiver/main.ts",
    "cli/main.ts",
    "tsconfig.json",
    "components/README.md",
  ];
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), "");
    fs.utimesSync(path.join(root, file), time, time);
  }
  return root;
}

describe("Function: buildIsStale (jest globalSetup)", () => {
  let root: string;
  beforeEach(() => {
    root = tree(1_000_000);
  });
  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("keeps a build that is newer than every source", () => {
    // Prepare
    fs.utimesSync(path.join(root, BUILD_OUTPUTS[0]), 1_000_100, 1_000_100);

    // Act
    const stale = buildIsStale(root);

    // Assess
    expect(stale).toBe(false);
  });

  it.each(["components/index.ts", "lambda/receiver/main.ts", "cli/main.ts", "tsconfig.json"])(
    "rebuilds when %s changed after the build",
    (source) => {
      // Prepare
      fs.utimesSync(path.join(root, source), 1_000_001, 1_000_001);

      // Act
      const stale = buildIsStale(root);

      // Assess
      expect(stale).toBe(true);
    },
  );

  it("ignores files that are not compiled", () => {
    // Prepare
    fs.utimesSync(path.join(root, "components/README.md"), 1_000_001, 1_000_001);

    // Act
    const stale = buildIsStale(root);

    // Assess
    expect(stale).toBe(false);
  });

  it.each([...BUILD_OUTPUTS])("rebuilds when %s is missing", (output) => {
    // Prepare
    fs.rmSync(path.join(root, output));

    // Act
    const stale = buildIsStale(root);

    // Assess
    expect(stale).toBe(true);
  });
});
