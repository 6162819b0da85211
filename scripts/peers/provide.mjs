#!/usr/bin/env node
// Installs (on first use) and prints the location of each named peer:
//   node scripts/peers/provide.mjs pulumi moto   → one JSON object on stdout: { pulumi: {...}, moto: {...} }
// Each peer is a module beside this file exporting `provide(): Promise<object>` (paths of what it installed).
import { PeerError } from "./cache.mjs";

const names = process.argv.slice(2);
if (names.length === 0) {
  process.stderr.write("usage: node scripts/peers/provide.mjs <peer...>   (peers: pulumi, moto)\n");
  process.exit(2);
}
const out = {};
try {
  for (const name of names) {
    const module = await import(`./${name}.mjs`).catch((error) => {
      // Only a missing module means an unknown name; a broken provider module must show its own error.
      if (error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes(`${name}.mjs`)) {
        throw new PeerError(`unknown peer "${name}" (known: pulumi, moto)`);
      }
      throw error;
    });
    out[name] = await module.provide();
  }
} catch (error) {
  process.stderr.write(`[peers] ${error instanceof PeerError ? error.message : error.stack}\n`);
  process.exit(1);
}
process.stdout.write(`${JSON.stringify(out)}\n`);
