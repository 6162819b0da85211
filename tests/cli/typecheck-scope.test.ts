/**
 * `npx tsc --noEmit -p .` (the `typecheck` step of `npm test`) must check every CLI source, including one no
 * test imports; `bin/` holds only JavaScript, so tsconfig.json lists no TypeScript pattern for it.
 */
import { join } from "node:path";
import ts from "typescript";

const ROOT = join(__dirname, "..", "..");

function typecheckedFiles(): { files: string[]; include: string[] } {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(ROOT, "tsconfig.json"), undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
    },
  });
  if (parsed === undefined) throw new Error("tsconfig.json could not be read");
  const include = (parsed.raw as { include: string[] }).include;
  return { files: parsed.fileNames.map((file) => file.slice(ROOT.length + 1)), include };
}

describe("Config: the typecheck covers the CLI", () => {
  it("includes every TypeScript source under cli/ and no TypeScript pattern for the JS-only bin/", () => {
    // Prepare
    const cliSources = ts.sys
      .readDirectory(join(ROOT, "cli"), [".ts"])
      .map((file) => file.slice(ROOT.length + 1))
      .filter((file) => !file.endsWith(".d.ts"));

    // Act
    const { files, include } = typecheckedFiles();

    // Assess
    expect(cliSources.length).toBeGreaterThan(3);
    expect(cliSources.filter((file) => !files.includes(file))).toEqual([]);
    expect(include).toContain("cli/**/*.ts");
    expect(include.filter((pattern) => pattern.startsWith("bin/"))).toEqual([]);
    expect(ts.sys.readDirectory(join(ROOT, "bin"), [".ts"])).toEqual([]);
  });
});
