/**
 * The arm64 Debian package run: built by `deno task package --arch arm64`, unpacked, and its launcher run with the
 * package's own Deno runtime (an aarch64 ELF) under qemu's user-mode emulation, against the aarch64 C library of
 * Debian's cross packages. The amd64 package is installed and run as a service by tests/package_test.ts; this one
 * cannot be installed here, but its runtime, its bundled program, its permission step and its lookup worker can be
 * run, and must give the golden records byte for byte.
 *
 * Needs qemu-aarch64-static, the aarch64 C library under /usr/aarch64-linux-gnu and dpkg-deb (CI installs them:
 * scripts/install_test_deps.sh); without them the test fails under CI=true and is skipped otherwise. Emulated, a
 * replay of a small capture takes 15–20 s.
 */
import assert from "node:assert/strict";
import { goldenPath } from "./_golden_cases.ts";
import { ROOT } from "./_cli.ts";
import { buildPackage, missingOf, output, skippedFor } from "./_package.ts";
import { WORKER_ANY_SIZE_VARIABLE, WORKER_AT_ONCE_VARIABLE } from "../src/parallel/test_hooks.ts";

const QEMU = "qemu-aarch64-static";
/** Where libc6-arm64-cross puts the aarch64 C library (the runtime's ELF interpreter included). */
const SYSROOT = "/usr/aarch64-linux-gnu";
/** ELF `e_machine` of AArch64. */
const EM_AARCH64 = 183;

const missing = await missingOf([QEMU, "dpkg-deb"], false);
if (!(await Deno.stat(`${SYSROOT}/lib/ld-linux-aarch64.so.1`).catch(() => null))) {
  missing.push("the aarch64 C library (libc6-arm64-cross)");
}
const skipped = skippedFor("arm64_package_test", missing);

/** The captures replayed, each in one format: every RR type over UDP; pcapng, TCP and IPv6 through the worker. */
const CASES = [
  { capture: "real/udp_types.pcap", format: "gopassivedns", worker: false },
  { capture: "real/mixed.pcapng", format: "transaction", worker: true },
] as const;

Deno.test({
  name: "the arm64 package's runtime, run emulated, replays golden captures byte for byte (with its lookup worker)",
  ignore: skipped,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    assert.deepEqual(missing, [], `arm64_package_test needs ${missing.join(", ")}`);
    const work = await Deno.makeTempDir({ prefix: "arm64_package_test" });
    try {
      let deb = "";
      await t.step("deno task package --arch arm64 builds an arm64 .deb", async () => {
        const build = await buildPackage("arm64", work);
        assert.equal(build.code, 0, build.stderr);
        deb = build.deb;
        assert.match(deb, /denopassivedns_[\d.]+_arm64\.deb$/);
        const info = await output("dpkg-deb", ["--field", deb, "Architecture"]);
        assert.equal(info.stdout.trim(), "arm64");
      });

      const tree = `${work}/tree`;
      const lib = `${tree}/usr/lib/denopassivedns`;
      await t.step("its Deno runtime is an aarch64 executable, run through qemu", async () => {
        const unpack = await output("dpkg-deb", ["-x", deb, tree]);
        assert.equal(unpack.code, 0, unpack.stderr);
        const elf = await Deno.readFile(`${lib}/deno`);
        assert.deepEqual([...elf.subarray(0, 4)], [0x7f, 0x45, 0x4c, 0x46]); // \x7fELF
        assert.equal(elf[18] | (elf[19] << 8), EM_AARCH64);
        // The launcher execs lib/deno: a wrapper in its place runs the real one under emulation.
        await Deno.rename(`${lib}/deno`, `${lib}/deno.aarch64`);
        await Deno.writeTextFile(
          `${lib}/deno`,
          `#!/bin/sh\nexec ${QEMU} -L ${SYSROOT} "$(dirname -- "$0")/deno.aarch64" "$@"\n`,
        );
        await Deno.chmod(`${lib}/deno`, 0o755);
        const version = await output(`${lib}/deno`, ["--version"]);
        assert.equal(version.code, 0, version.stderr);
        assert.match(version.stdout, /aarch64-unknown-linux-gnu/);
      });

      for (const { capture, format, worker } of CASES) {
        await t.step(`${capture}, -format ${format}${worker ? ", -numprocs 2 (the worker)" : ""}`, async () => {
          const env: Record<string, string> = { NO_COLOR: "1", DENO_DIR: `${work}/deno_dir` };
          if (worker) Object.assign(env, { [WORKER_AT_ONCE_VARIABLE]: "1", [WORKER_ANY_SIZE_VARIABLE]: "1" });
          const args = ["-pcap", `${ROOT}testdata/${capture}`, "-format", format, "-name", "golden"];
          if (worker) args.push("-numprocs", "2", "-debug");
          const run = await output(`${tree}/usr/bin/denopassivedns`, args, { env, cwd: work });
          assert.equal(run.code, 0, run.stderr);
          assert.equal(run.stdout, await Deno.readTextFile(goldenPath(capture, format)));
          if (worker) assert.match(run.stderr, /Starting the lookup worker/);
        });
      }
    } finally {
      await Deno.remove(work, { recursive: true });
    }
  },
});
