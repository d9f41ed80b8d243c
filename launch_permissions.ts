/**
 * The launcher's first step (`bin/denopassivedns`): resolves the configuration exactly as `main.ts` will, with the
 * same code, and prints the Deno permission flags that run needs, one per line (see `src/config/permissions.ts`).
 * A usage error is printed as `main.ts` prints it, with the same exit status 2, and the sensor is not started.
 *
 * Runs with `--allow-read --allow-env --allow-sys=hostname --allow-net`: it reads the `.env` file, checks the capture
 * file and resolves UDP peers' names (statsd).
 *
 * @module
 */

import { ConfigError, denoConfigIo, loadConfig } from "./src/config/mod.ts";
import { grantsFor, permissionFlags, resolveUdpPeers } from "./src/config/permissions.ts";

const EXIT_USAGE = 2;

try {
  const env = Deno.env.toObject();
  const io = await denoConfigIo(Deno.args, env);
  const result = loadConfig(Deno.args, env, io);
  // Help and version only print a text: they need nothing beyond the environment.
  let flags = ["--allow-env", "--allow-sys=hostname"];
  if (result.kind === "run") {
    const grants = grantsFor(result.config, io.cwd);
    // From a checkout, npm packages read their own files at run time (the Kafka client's WebAssembly): the bundle in
    // the package has them inlined, and has no node_modules beside it.
    // Workers load their module at run time, under the run's read permission (`-numprocs` 2 or more starts the lookup
    // worker): from a checkout the worker's module graph is under src/; installed, the workers are bundled files
    // under this one's directory (src/parallel/lookup_worker.js, src/sinks/syslog_worker.js, and the chunks they
    // share with the program), which holds only the program.
    grants.read.push(import.meta.filename!.endsWith(".ts") ? `${import.meta.dirname}/src` : import.meta.dirname!);
    try {
      const modules = `${import.meta.dirname}/node_modules`;
      grants.read.push(modules, Deno.realPathSync(modules));
    } catch {
      // installed: nothing to add
    }
    await resolveUdpPeers(grants);
    flags = permissionFlags(grants);
  }
  Deno.stdout.writeSync(new TextEncoder().encode(flags.join("\n") + "\n"));
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  Deno.exit(EXIT_USAGE);
}
