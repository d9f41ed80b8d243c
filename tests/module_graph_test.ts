/**
 * What a plain replay loads before it runs: the static import graph (dynamic `import()` left out, as Deno loads those
 * only when they run) of main.ts and of the lookup worker (`-numprocs 2`), from `deno info --json`. Each module costs
 * resident memory in every run, and a node: polyfill or an npm package costs the most (measured with Deno 2.9:
 * node:dgram + node:net + node:buffer + node:process add ~7.5 MB to an empty script), so every feature's library is
 * imported where the feature is configured: the sinks other than stdout, the metrics exporters, the CPU profiler,
 * `.env` parsing, `-bpf` and live capture (libpcap's binding), and in the worker the transaction format's writer.
 *
 * Logtape is the one npm package loaded: logging is on in every run. (It imports node:util itself: its `#util`
 * import map lists the "node" condition before "deno", so Deno resolves it to `util.node.js`; `deno info` does not
 * look inside npm packages, so that import is not seen here.)
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);

interface Dependency {
  specifier: string;
  code?: { specifier: string };
  isDynamic?: boolean;
}

interface GraphModule {
  specifier: string;
  dependencies?: Dependency[];
}

/** The modules `entry` imports statically (transitively), each with the module that first imports it. */
async function staticGraph(entry: string): Promise<Map<string, string | null>> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  const info: { roots: string[]; modules: GraphModule[] } = JSON.parse(new TextDecoder().decode(output.stdout));
  const modules = new Map(info.modules.map((module) => [module.specifier, module]));
  // A type-only import has no `code`; a module imported both ways is not `isDynamic`.
  const importer = new Map<string, string | null>([[info.roots[0], null]]);
  const queue = [info.roots[0]];
  while (queue.length > 0) {
    const from = queue.shift()!;
    for (const dependency of modules.get(from)?.dependencies ?? []) {
      const to = dependency.code?.specifier;
      if (to === undefined || dependency.isDynamic === true || importer.has(to)) continue;
      importer.set(to, from);
      queue.push(to);
    }
  }
  return importer;
}

/** `specifier` relative to the repository, an npm package by its name (`npm:NAME`), a node: module as it is. */
function shortName(specifier: string): string {
  const inPackage = specifier.match(/\/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (inPackage !== null) return `npm:${inPackage[1]}`;
  return specifier.startsWith(ROOT.href) ? specifier.slice(ROOT.href.length) : specifier;
}

/** How `entry` comes to import `specifier`: "main.ts → src/sensor.ts → …". */
function chain(graph: Map<string, string | null>, specifier: string): string {
  const names = [];
  for (let at: string | null = specifier; at !== null; at = graph.get(at) ?? null) names.unshift(shortName(at));
  return names.join(" → ");
}

/** The imports of `graph` that are neither the project's own modules nor `allowed` (with how each is imported). */
function foreignImports(graph: Map<string, string | null>, allowed: string[]): string[] {
  return [...graph.keys()].filter((specifier) =>
    !specifier.startsWith(ROOT.href) || specifier.includes("/node_modules/")
  )
    .filter((specifier) => !allowed.includes(shortName(specifier)))
    .map((specifier) => chain(graph, specifier));
}

/** Which of `paths` (relative to the repository) `graph` imports statically, with how. */
function imported(graph: Map<string, string | null>, paths: string[]): string[] {
  return paths.map((path) => new URL(path, ROOT).href).filter((href) => graph.has(href)).map((href) =>
    chain(graph, href)
  );
}

Deno.test("a plain replay loads no node: module and no npm package but logtape", async () => {
  const graph = await staticGraph("main.ts");
  // Not vacuous: the replay path itself is in the graph.
  assert.deepEqual(imported(graph, ["src/decode/packet_decoder.ts", "src/capture/pcap_file.ts"]).length, 2);
  assert.deepEqual(foreignImports(graph, ["npm:@logtape/logtape"]), []);
});

Deno.test("a plain replay loads no module of a feature it does not use", async () => {
  const graph = await staticGraph("main.ts");
  assert.deepEqual(
    imported(graph, [
      "src/capture/bpf_filter.ts",
      "src/capture/libpcap_ffi.ts",
      "src/capture/live_source.ts",
      "src/metrics/prometheus.ts",
      "src/metrics/statsd.ts",
      "src/sinks/file_sink.ts",
      "src/sinks/fluentd_sink.ts",
      "src/sinks/kafka_sink.ts",
      "src/sinks/syslog_sink.ts",
    ]),
    [],
  );
});

Deno.test("the lookup worker loads no node: module, no npm package, no pairing engine, and the transaction writer only for it", async () => {
  const graph = await staticGraph("src/parallel/lookup_worker.ts");
  assert.deepEqual(imported(graph, ["src/record/gopassivedns_writer.ts"]).length, 1);
  assert.deepEqual(foreignImports(graph, []), []);
  assert.deepEqual(
    imported(graph, [
      "src/lookup_stage.ts",
      "src/correlate/wire_pairing.ts",
      "src/record/transaction_writer.ts",
      "src/parallel/transaction_entry.ts",
    ]),
    [],
  );
});
