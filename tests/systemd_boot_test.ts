/**
 * The packaged unit under a booted systemd, as an appliance runs it: a minimal Debian 12
 * (`debootstrap --variant=minbase`, so no procps and no `/bin/kill`) booted with systemd-nspawn in its own network
 * namespace, the `.deb` installed in it with `dpkg -i`, the service started by `systemctl` with every sandboxing
 * setting of the unit in force (the system call filter, the read-only system, the capability set). A DNS server in the
 * container (dnsmasq) answers `dig` on `lo`, where the service captures.
 *
 * Needs root, systemd-nspawn (systemd-container), debootstrap and dpkg-deb (CI installs them), and the Debian mirror
 * for the first build of the container's tree, kept in ~/.cache/denopassivedns between runs; without them the test
 * is skipped, except under CI=true, where it fails.
 */
import assert from "node:assert/strict";
import { buildPackage, missingOf, type Output, output, skippedFor } from "./_package.ts";

const UNIT = "denopassivedns";
/** The container's tree (Debian 12, minbase) with what the test runs in it, built once and copied for each run. */
const TREE_PACKAGES = ["systemd", "systemd-sysv", "dbus", "libpcap0.8", "adduser", "dnsutils", "dnsmasq-base"];
const TREE_CACHE = `${Deno.env.get("HOME") ?? "/root"}/.cache/denopassivedns/nspawn-bookworm`;
const SETTINGS = "/etc/denopassivedns/denopassivedns.env";
const LOG_DIR = "/var/log/denopassivedns";
/** dnsmasq's answer for every name under example.org. */
const ANSWER = "192.0.2.7";
/** CAP_NET_ADMIN (12) and CAP_NET_RAW (13), as /proc/PID/status prints a capability set. */
const CAPTURE_CAPABILITIES = "0000000000003000";

const missing = await missingOf(["systemd-nspawn", "debootstrap", "dpkg-deb", "nsenter", "ps"], true);
const skipped = skippedFor("systemd_boot_test", missing);

/** The host's Debian mirror (deb822 or one-line sources), else deb.debian.org. */
function debianMirror(): string {
  for (const path of ["/etc/apt/sources.list.d/debian.sources", "/etc/apt/sources.list"]) {
    try {
      const sources = Deno.readTextFileSync(path);
      const uri = /^URIs:\s*(\S+)/m.exec(sources)?.[1] ??
        /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+bookworm\s/m.exec(sources)?.[1];
      if (uri !== undefined) return uri;
    } catch {
      // not there: the next one
    }
  }
  return "http://deb.debian.org/debian";
}

/** The cached tree, built first when it is missing or was built with other packages. */
async function containerTree(): Promise<string> {
  const stamp = `${TREE_CACHE}/.denopassivedns-packages`;
  const wanted = TREE_PACKAGES.join(",");
  try {
    if (Deno.readTextFileSync(stamp) === wanted) return TREE_CACHE;
  } catch {
    // not built yet
  }
  const building = `${TREE_CACHE}.building`;
  await Deno.remove(building, { recursive: true }).catch(() => {});
  await Deno.mkdir(building, { recursive: true });
  const built = await output("debootstrap", [
    "--variant=minbase",
    `--include=${wanted}`,
    "bookworm",
    building,
    debianMirror(),
  ]);
  assert.equal(built.code, 0, `debootstrap failed: ${built.stdout.slice(-2000)}${built.stderr.slice(-2000)}`);
  Deno.writeTextFileSync(`${building}/.denopassivedns-packages`, wanted);
  await Deno.remove(TREE_CACHE, { recursive: true }).catch(() => {});
  await Deno.rename(building, TREE_CACHE);
  return TREE_CACHE;
}

/**
 * The process named `comm` below `root`, from `ps` (Deno reads nothing under /proc without --allow-all, which the test
 * task does not give), or null.
 */
async function descendantNamed(root: number, comm: string): Promise<number | null> {
  const listed = await output("ps", ["-e", "-o", "pid=,ppid=,comm="]);
  const parents = new Map<number, number>();
  const named: number[] = [];
  for (const line of listed.stdout.split("\n")) {
    const fields = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line);
    if (fields === null) continue;
    parents.set(Number(fields[1]), Number(fields[2]));
    if (fields[3].trim() === comm) named.push(Number(fields[1]));
  }
  for (const pid of named) {
    for (let parent = parents.get(pid); parent !== undefined && parent > 1; parent = parents.get(parent)) {
      if (parent === root) return pid;
    }
  }
  return null;
}

async function waitFor<T>(what: string, probe: () => Promise<T | null>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A booted container: its systemd is reached with nsenter (the host has no machined to register it with). */
class Container {
  #console = "";
  readonly #done: Promise<void>;

  private constructor(readonly tree: string, readonly nspawn: Deno.ChildProcess, public init = 0) {
    const decoder = new TextDecoder();
    const drain = async (stream: ReadableStream<Uint8Array>) => {
      for await (const chunk of stream) this.#console += decoder.decode(chunk, { stream: true });
    };
    this.#done = Promise.all([drain(nspawn.stdout), drain(nspawn.stderr)]).then(() => {});
  }

  static async boot(tree: string): Promise<Container> {
    const nspawn = new Deno.Command("systemd-nspawn", {
      args: ["--quiet", "--directory", tree, "--boot", "--private-network", "--register=no", "--keep-unit"],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const container = new Container(tree, nspawn);
    let exited: Deno.CommandStatus | null = null;
    nspawn.status.then((status) => exited = status);
    container.init = await waitFor("the container's systemd", () => {
      if (exited !== null) {
        throw new Error(`systemd-nspawn exited (${exited.code}): ${container.#console.slice(-3000)}`);
      }
      return descendantNamed(nspawn.pid, "systemd");
    }, 30_000).catch((error) => {
      throw new Error(`${error.message}\n${container.#console.slice(-3000)}`);
    });
    await waitFor("the container to finish booting", async () => {
      const state = (await container.exec(["systemctl", "is-system-running"])).stdout.trim();
      return state === "running" || state === "degraded" ? state : null;
    }, 60_000).catch((error) => {
      throw new Error(`${error.message}\n${container.#console.slice(-3000)}`);
    });
    return container;
  }

  /** `args` run inside the container (its mount, PID, network, IPC and UTS namespaces). */
  exec(args: string[]): Promise<Output> {
    return output("nsenter", ["-t", String(this.init), "-m", "-u", "-i", "-n", "-p", "--", ...args]);
  }

  async systemctl(...args: string[]): Promise<Output> {
    return await this.exec(["systemctl", ...args]);
  }

  /** The unit's properties, by name. */
  async show(...properties: string[]): Promise<Record<string, string>> {
    const shown = await this.systemctl("show", UNIT, ...properties.map((p) => `--property=${p}`));
    return Object.fromEntries(shown.stdout.trim().split("\n").map((line) => line.split(/=(.*)/s).slice(0, 2)));
  }

  async journal(): Promise<string> {
    return (await this.exec(["journalctl", "--no-pager", "-u", UNIT])).stdout;
  }

  /** A file of the container's tree, read from the host. */
  read(path: string): string {
    try {
      return Deno.readTextFileSync(`${this.tree}${path}`);
    } catch {
      return "";
    }
  }

  /** Halts the container (nspawn asks its systemd to power off on SIGTERM), killing it if that takes too long. */
  async halt(): Promise<void> {
    try {
      this.nspawn.kill("SIGTERM");
    } catch {
      return; // already gone
    }
    const timer = setTimeout(() => this.nspawn.kill("SIGKILL"), 30_000);
    await this.nspawn.status;
    clearTimeout(timer);
    await this.#done;
  }
}

/** The `q` of each record in a file of default-format records (one JSON object a line), checking the answer. */
function askedNames(records: string): string[] {
  return records.split("\n").filter((line) => line !== "").map((line) => {
    const record = JSON.parse(line);
    assert.equal(record.a, ANSWER, line);
    return record.q;
  });
}

Deno.test({
  name: "the packaged unit runs under a booted systemd on a minimal Debian: sandboxed, two capabilities, reload, stop",
  ignore: skipped,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    assert.deepEqual(missing, [], `systemd_boot_test needs ${missing.join(", ")}`);
    const work = await Deno.makeTempDir({ prefix: "systemd_boot_test" });
    const tree = `${work}/root`;
    let container: Container | null = null;
    try {
      await t.step(
        "the .deb is built and installed with dpkg -i in a minimal Debian 12 with no /bin/kill",
        async () => {
          const [build, cached] = await Promise.all([buildPackage("amd64", work), containerTree()]);
          assert.equal(build.code, 0, build.stderr);
          const deb = build.deb;
          const copied = await output("cp", ["-a", cached, tree]);
          assert.equal(copied.code, 0, copied.stderr);
          for (const kill of ["/bin/kill", "/usr/bin/kill"]) {
            assert.throws(() => Deno.lstatSync(`${tree}${kill}`), Deno.errors.NotFound, `${kill} is in the tree`);
          }
          await Deno.copyFile(deb, `${tree}/var/tmp/denopassivedns.deb`);
          const install = await output("systemd-nspawn", [
            "--quiet",
            "--directory",
            tree,
            "--register=no",
            "--keep-unit",
            "dpkg",
            "-i",
            "/var/tmp/denopassivedns.deb",
          ]);
          assert.equal(install.code, 0, install.stdout + install.stderr);
        },
      );

      container = await Container.boot(tree);
      const booted = container;

      await t.step("without PDNS_DEV the service fails with status 2 and is not restarted", async () => {
        const started = await booted.systemctl("start", UNIT);
        assert.equal(started.code, 0, started.stderr); // Type=exec: the start job ends once the launcher runs
        const state = await waitFor("the service to fail", async () => {
          const shown = await booted.show("ActiveState", "Result", "ExecMainStatus", "NRestarts");
          return shown.ActiveState === "failed" ? shown : null;
        }, 30_000);
        // RestartPreventExitStatus=2: failed at once, not "activating (auto-restart)".
        assert.deepEqual(state, { ActiveState: "failed", Result: "exit-code", ExecMainStatus: "2", NRestarts: "0" });
        assert.match(await booted.journal(), /neither -dev nor -pcap given/);
      });

      await t.step("with PDNS_DEV=lo it captures as the service user, two capabilities, seccomp on", async () => {
        await Deno.writeTextFile(
          `${tree}${SETTINGS}`,
          `PDNS_DEV=lo\nPDNS_LOG_FILE=${LOG_DIR}/denopassivedns.log\nPDNS_QUIET=true\n`,
        );
        const server = await booted.exec([
          "systemd-run",
          "--unit=dns-test-server",
          "/usr/sbin/dnsmasq",
          "--keep-in-foreground",
          "--no-resolv",
          "--no-hosts",
          "--listen-address=127.0.0.1",
          "--bind-interfaces",
          `--address=/example.org/${ANSWER}`,
          "--user=root",
        ]);
        assert.equal(server.code, 0, server.stderr);
        await booted.systemctl("reset-failed", UNIT);
        const started = await booted.systemctl("start", UNIT);
        assert.equal(started.code, 0, started.stderr);
        await waitFor(
          "the service to capture on lo",
          async () => /Capturing on lo/.test(await booted.journal()) || null,
          30_000,
        );
        const { MainPID, ActiveState } = await booted.show("MainPID", "ActiveState");
        assert.equal(ActiveState, "active");
        const status = (await booted.exec(["cat", `/proc/${MainPID}/status`])).stdout;
        const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, "m").exec(status)?.[1];
        const uid = (await booted.exec(["id", "-u", "denopassivedns"])).stdout.trim();
        assert.equal(field("Uid")?.split(/\s+/)[0], uid);
        assert.equal(field("CapEff"), CAPTURE_CAPABILITIES);
        assert.equal(field("CapBnd"), CAPTURE_CAPABILITIES);
        assert.equal(field("NoNewPrivs"), "1");
        assert.equal(field("Seccomp"), "2"); // SystemCallFilter: a filter installed
      });

      await t.step("every answered lookup is logged; reload reopens the file; stop flushes and exits 0", async () => {
        const log = `${LOG_DIR}/denopassivedns.log`;
        const dig = async (name: string) => {
          const answer = await booted.exec(["dig", "@127.0.0.1", name, "+short", "+tries=1", "+time=2"]);
          assert.equal(answer.stdout.trim(), ANSWER, answer.stdout + answer.stderr);
        };
        for (const name of ["a", "b", "c"]) await dig(`${name}.example.org`);
        await waitFor("three records in the log file", () => {
          return Promise.resolve(booted.read(log).split("\n").length === 4 || null);
        }, 15_000);
        // logrotate's way: move the file, then reload (SIGHUP): the sensor opens the path again.
        await Deno.rename(`${tree}${log}`, `${tree}${LOG_DIR}/rotated.log`);
        const reloaded = await booted.systemctl("reload", UNIT);
        assert.equal(reloaded.code, 0, reloaded.stderr + (await booted.journal()));
        assert.equal((await booted.show("ActiveState")).ActiveState, "active");
        await dig("d.example.org");
        const stopped = await booted.systemctl("stop", UNIT);
        assert.equal(stopped.code, 0, stopped.stderr);
        assert.deepEqual(await booted.show("Result", "ExecMainStatus"), { Result: "success", ExecMainStatus: "0" });
        assert.deepEqual(askedNames(booted.read(`${LOG_DIR}/rotated.log`)), [
          "a.example.org",
          "b.example.org",
          "c.example.org",
        ]);
        assert.deepEqual(askedNames(booted.read(log)), ["d.example.org"]);
        assert.match(await booted.journal(), /Summary: .*pairs=4 .*file\.written=4/);
      });
    } finally {
      await container?.halt();
      await Deno.remove(work, { recursive: true }).catch(() => {});
    }
  },
});
