/**
 * `deno task package [--arch amd64 --arch arm64] [--compress xz|gzip|zstd] [--out dist]`: a Debian package and a
 * `.tar.gz` of the same tree per architecture, from what npm and this checkout hold (no download from Deno's hosts):
 *
 * - the Deno runtime from npm (`@deno/linux-x64-glibc` from node_modules, `@deno/linux-arm64-glibc` fetched with
 *   `npm pack`, both the version of the `deno` dev dependency);
 * - the program, the launcher's permission step and the workers bundled together (`deno bundle`, npm dependencies
 *   inlined, including the ones imported lazily, shared and lazily imported code split into chunk files beside
 *   them); the build fails if a bundle file still imports anything but `node:` built-ins and its own chunks, so
 *   nothing can be fetched at run time;
 * - `bin/denopassivedns` as `/usr/bin/denopassivedns`, the systemd unit, the settings file and the maintainer
 *   scripts from `packaging/`.
 *
 * @module
 */
import { parseArgs } from "node:util";

const ROOT = new URL("..", import.meta.url).pathname;
const ARCHES = {
  amd64: { npm: "@deno/linux-x64-glibc", tarball: "linux-x86_64" },
  arm64: { npm: "@deno/linux-arm64-glibc", tarball: "linux-aarch64" },
} as const;
type Arch = keyof typeof ARCHES;

const { values } = parseArgs({
  args: Deno.args,
  options: {
    arch: { type: "string", multiple: true },
    compress: { type: "string", default: "xz" },
    out: { type: "string", default: `${ROOT}dist` },
  },
});
const out = values.out.startsWith("/") ? values.out : `${Deno.cwd()}/${values.out}`;
const version = JSON.parse(await Deno.readTextFile(`${ROOT}package.json`)).version as string;
const denoVersion = JSON.parse(await Deno.readTextFile(`${ROOT}package.json`)).devDependencies.deno as string;

async function run(command: string, args: string[], options: { cwd?: string } = {}): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command(command, { args, ...options }).output();
  const text = new TextDecoder();
  if (code !== 0) throw new Error(`${command} ${args.join(" ")} failed (exit ${code}): ${text.decode(stderr)}`);
  return text.decode(stdout);
}

/**
 * Files npm packages read beside their own code at run time, by the URL they compute from `import.meta.url`
 * (meaningless in a bundle): inlined into the bundle. Any other such URL fails the build.
 */
const INLINED_ASSETS: Record<string, string> = {
  // @platformatic/wasm-utils (Kafka's CRC32C and compression) reads its WebAssembly module at import time.
  "../dist/native.wasm": "node_modules/@platformatic/wasm-utils/dist/native.wasm",
};

/** Workers the program starts from a file beside its module (`new URL(RELATIVE, import.meta.url)`), by that URL. */
const WORKER_ENTRIES: Record<string, string> = {
  "./syslog_worker.ts": "src/sinks/syslog_worker.ts",
  "./lookup_worker.ts": "src/parallel/lookup_worker.ts",
};

/** Where the bundle puts a worker entry: its path in the checkout, as JavaScript (`src/sinks/syslog_worker.js`). */
function workerBundleName(entry: string): string {
  return entry.replace(/\.ts$/, ".js");
}

/** Requires left in the bundle on purpose: each sits in a try/catch and the code works without it. */
const OPTIONAL_REQUIRES: Record<string, string> = {
  "supports-color": "the debug package's optional colour detection (not installed; debug output goes to stderr)",
};

/** The bundle's entry points: the program (installed as `denopassivedns.js`), the permission step and the workers. */
const ENTRIES = ["main.ts", "launch_permissions.ts", ...Object.values(WORKER_ENTRIES)];
const PROGRAM = "denopassivedns.js";

/**
 * Bundles the entry points into `dir` and checks that nothing is left to fetch or read at run time. Code shared by
 * entries, and each module imported lazily (the sinks, live capture), is split into chunk files beside them, loaded
 * when first imported: one file of everything (2.5 MB, the sink clients most of it) made every start parse all of it
 * (measured on a 2-packet capture: 0.16 s against 0.09 s split).
 */
async function bundle(dir: string): Promise<void> {
  await run(Deno.execPath(), [
    "bundle",
    "--quiet",
    `--config=${ROOT}deno.json`,
    "--platform=deno",
    "--packages=bundle",
    "--code-splitting",
    "--outdir",
    dir,
    ...ENTRIES.map((entry) => `${ROOT}${entry}`),
  ], { cwd: ROOT });
  await Deno.rename(`${dir}/main.js`, `${dir}/${PROGRAM}`);
  const files = await bundledFiles(dir);
  for (const file of files) {
    const { code, workerUrls } = renameWorkerUrls(
      await inlineAssets(await Deno.readTextFile(`${dir}/${file}`), file),
      file,
    );
    checkSelfContained(code, file, files, workerUrls);
    await Deno.writeTextFile(`${dir}/${file}`, code);
  }
}

/** The files npm packages read beside their code (`readFileSync(new URL(…, import.meta.url))`) inlined into `code`. */
async function inlineAssets(code: string, file: string): Promise<string> {
  const readers = /\breadFileSync\d*\(\s*new URL\(\s*"([^"]+)",\s*import\.meta\.url\s*\)\s*\)/g;
  for (const [call, relative] of [...code.matchAll(readers)]) {
    const asset = INLINED_ASSETS[relative];
    if (asset === undefined) throw new Error(`${file} reads ${relative} beside a module at run time: inline it`);
    const base64 = btoa(Array.from(await Deno.readFile(`${ROOT}${asset}`), (b) => String.fromCharCode(b)).join(""));
    code = code.replace(call, `Uint8Array.from(atob("${base64}"), (c) => c.charCodeAt(0))`);
  }
  return code;
}

/** Workers started from a module file: their URLs in `code` renamed to the workers' bundled files. */
function renameWorkerUrls(code: string, file: string): { code: string; workerUrls: Set<string> } {
  const workerUrls = new Set<string>();
  for (const [relative, entry] of Object.entries(WORKER_ENTRIES)) {
    const literal = `new URL("${relative}", import.meta.url)`;
    if (!code.includes(literal)) continue;
    const url = relativeUrl(file, workerBundleName(entry));
    workerUrls.add(url);
    code = code.replaceAll(literal, `new URL("${url}", import.meta.url)`);
  }
  return { code, workerUrls };
}

/**
 * Fails the build when the bundle file `file` resolves a URL beside itself (other than a worker's) or imports
 * anything but `node:` built-ins, the optional requires and the bundle's own files.
 */
function checkSelfContained(code: string, file: string, files: Set<string>, workerUrls: Set<string>): void {
  const relativeUrls = [...code.matchAll(/new URL\(\s*["'`]([^"'`]+)["'`],\s*import\.meta\.url\s*\)/g)]
    .filter((match) => !workerUrls.has(match[1]));
  if (relativeUrls.length > 0) {
    throw new Error(`${file} resolves ${relativeUrls.map((m) => m[1]).join(", ")} beside itself at run time`);
  }
  const specifiers = [
    ...code.matchAll(/\bimport\s*\(\s*["'`]([^"'`]+)["'`]/g),
    ...code.matchAll(/^\s*(?:import|export)\s[^;]*?from\s*["']([^"']+)["']/gm),
    ...code.matchAll(/^\s*import\s*["']([^"']+)["']/gm),
    // esbuild's form of a require it could not bundle (plain `require("…")` also occurs in ajv's generated-code strings)
    ...code.matchAll(/\b__require\(\s*["']([^"']+)["']\s*\)/g),
  ].map((match) => match[1]);
  const ownFile = (s: string) => s.startsWith(".") && files.has(resolved(file, s));
  const external = [
    ...new Set(specifiers.filter((s) => !s.startsWith("node:") && !(s in OPTIONAL_REQUIRES) && !ownFile(s))),
  ];
  if (external.length > 0) throw new Error(`${file} still imports ${external.join(", ")}: bundle them`);
}

/** The bundle's files, as paths relative to `dir`. */
async function bundledFiles(dir: string, under = ""): Promise<Set<string>> {
  const files = new Set<string>();
  for await (const entry of Deno.readDir(`${dir}/${under}`)) {
    const path = `${under}${entry.name}`;
    if (entry.isDirectory) { for (const file of await bundledFiles(dir, `${path}/`)) files.add(file); }
    else files.add(path);
  }
  return files;
}

/** The bundle file `specifier` names from the bundle file `from` (both relative to the bundle's directory). */
function resolved(from: string, specifier: string): string {
  return new URL(specifier, `file:///${from}`).pathname.slice(1);
}

/** The URL from the bundle file `from` to the bundle file `to` (`./x.js`, `./src/y.js`, `../x.js`). */
function relativeUrl(from: string, to: string): string {
  const up = from.split("/").length - 1;
  return up === 0 ? `./${to}` : `${"../".repeat(up)}${to}`;
}

/** The Deno binary for an architecture: node_modules' copy when it is the one npm installed, else `npm pack`. */
async function denoRuntime(arch: Arch, cache: string): Promise<string> {
  const name = ARCHES[arch].npm;
  const installed = `${ROOT}node_modules/${name}`;
  try {
    const pkg = JSON.parse(await Deno.readTextFile(`${installed}/package.json`));
    if (pkg.version === denoVersion) return `${installed}/deno`;
  } catch {
    // not installed for this machine's architecture
  }
  const dir = `${cache}/${arch}-${denoVersion}`;
  try {
    await Deno.stat(`${dir}/package/deno`);
  } catch {
    await Deno.mkdir(dir, { recursive: true });
    const file = (await run("npm", ["pack", "--silent", `${name}@${denoVersion}`, "--pack-destination", dir])).trim();
    await run("tar", ["-xzf", `${dir}/${file}`, "-C", dir]);
  }
  return `${dir}/package/deno`;
}

async function copy(from: string, to: string, mode: number): Promise<void> {
  await Deno.mkdir(to.slice(0, to.lastIndexOf("/")), { recursive: true });
  await Deno.copyFile(from, to);
  await Deno.chmod(to, mode);
}

/** The installed tree under `root` (`prefix` = "usr" for the package, "" for the tarball). */
async function stageTree(root: string, prefix: string, deno: string, bundles: string): Promise<void> {
  const base = prefix === "" ? root : `${root}/${prefix}`;
  await copy(`${ROOT}bin/denopassivedns`, `${base}/bin/denopassivedns`, 0o755);
  await copy(deno, `${base}/lib/denopassivedns/deno`, 0o755);
  for (const file of await bundledFiles(bundles)) {
    await copy(`${bundles}/${file}`, `${base}/lib/denopassivedns/${file}`, 0o644);
  }
  await copy(`${ROOT}README.md`, `${base}/share/doc/denopassivedns/README.md`, 0o644);
}

async function debianPackage(arch: Arch, deno: string, bundles: string, work: string): Promise<string> {
  const root = `${work}/deb-${arch}`;
  await stageTree(root, "usr", deno, bundles);
  await copy(`${ROOT}packaging/denopassivedns.service`, `${root}/lib/systemd/system/denopassivedns.service`, 0o644);
  await copy(`${ROOT}packaging/denopassivedns.env`, `${root}/etc/denopassivedns/denopassivedns.env`, 0o640);
  for (const script of ["postinst", "prerm", "postrm"]) {
    await copy(`${ROOT}packaging/debian/${script}`, `${root}/DEBIAN/${script}`, 0o755);
  }
  await Deno.writeTextFile(`${root}/DEBIAN/conffiles`, "/etc/denopassivedns/denopassivedns.env\n");
  const installedKb = Math.ceil(Number((await run("du", ["-sk", "--exclude=DEBIAN", root])).split("\t")[0]));
  await Deno.writeTextFile(
    `${root}/DEBIAN/control`,
    [
      "Package: denopassivedns",
      `Version: ${version}`,
      `Architecture: ${arch}`,
      "Maintainer: denopassivedns developers <denopassivedns@localhost>",
      `Installed-Size: ${installedKb}`,
      "Depends: libc6, libpcap0.8 (>= 1.8), adduser",
      "Section: net",
      "Priority: optional",
      "Description: passive DNS sensor (a drop-in for gopassivedns)",
      " Pairs DNS queries with responses from live capture or pcap files and writes",
      " one JSON record per lookup. Runs on the bundled Deno runtime " + denoVersion + ".",
      "",
    ].join("\n"),
  );
  const deb = `${out}/denopassivedns_${version}_${arch}.deb`;
  await run("dpkg-deb", ["--root-owner-group", `-Z${values.compress}`, "--build", root, deb]);
  return deb;
}

async function tarball(arch: Arch, deno: string, bundles: string, work: string): Promise<string> {
  const name = `denopassivedns-${version}-${ARCHES[arch].tarball}`;
  const root = `${work}/tar-${arch}/${name}`;
  await stageTree(root, "", deno, bundles);
  await copy(`${ROOT}packaging/denopassivedns.service`, `${root}/share/denopassivedns/denopassivedns.service`, 0o644);
  await copy(`${ROOT}packaging/denopassivedns.env`, `${root}/share/denopassivedns/denopassivedns.env`, 0o644);
  const file = `${out}/${name}.tar.gz`;
  await run("tar", ["--owner=0", "--group=0", "--sort=name", "-czf", file, "-C", `${work}/tar-${arch}`, name]);
  return file;
}

await Deno.mkdir(out, { recursive: true });
const work = await Deno.makeTempDir({ prefix: "denopassivedns-package" });
try {
  const bundles = `${work}/bundles`;
  await bundle(bundles);
  for (const arch of (values.arch ?? Object.keys(ARCHES)) as Arch[]) {
    if (!(arch in ARCHES)) throw new Error(`unknown --arch ${arch}: expected one of ${Object.keys(ARCHES).join(", ")}`);
    const deno = await denoRuntime(arch, `${out}/cache`);
    console.log(await debianPackage(arch, deno, bundles, work));
    console.log(await tarball(arch, deno, bundles, work));
  }
} finally {
  await Deno.remove(work, { recursive: true });
}
