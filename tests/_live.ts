/**
 * Test helpers for live capture: the sensor as a subprocess on an interface, a knot authoritative server on
 * loopback, dig/kdig/dnsperf clients, and veth pairs in network namespaces made for one test.
 *
 * Live tests need root and Debian's knot, dnsutils, knot-dnsutils, dnsperf, tcpreplay and iproute2
 * (scripts/install_test_deps.sh). Without them they are skipped locally, and fail in CI (CI=true), where a missing
 * tool is a broken set-up rather than a reason to test less.
 *
 * @module
 */
import { LINKTYPE_ETHERNET, openCaptureFile } from "../src/capture/mod.ts";
import { ROOT, sensorArgv } from "./_cli.ts";

export const IN_CI = Deno.env.get("CI") === "true";
export const IS_ROOT = Deno.uid() === 0;

function hasTool(tool: string): boolean {
  return new Deno.Command("bash", { args: ["-c", `command -v ${tool}`], stdout: "null", stderr: "null" })
    .outputSync().success;
}

/**
 * Registers a test that needs root and `tools`: skipped without them, except in CI, where it runs and fails saying
 * what is missing.
 */
export function liveTest(name: string, tools: string[], fn: () => Promise<void>): void {
  const missing = tools.filter((tool) => !hasTool(tool));
  const ready = IS_ROOT && missing.length === 0;
  Deno.test({
    name,
    ignore: !ready && !IN_CI,
    // Subprocess pipes and the capture are closed by the test itself; Deno's sanitizers cannot see that in time.
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      if (!IS_ROOT) throw new Error("live capture tests need root (CI runs them as root)");
      if (missing.length > 0) throw new Error(`missing ${missing.join(", ")}: run scripts/install_test_deps.sh`);
      await fn();
    },
  });
}

export async function sh(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" }).output();
  const decoder = new TextDecoder();
  return { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
}

export async function must(command: string, args: string[]): Promise<string> {
  const result = await sh(command, args);
  if (result.code !== 0) throw new Error(`${command} ${args.join(" ")} exited ${result.code}: ${result.stderr}`);
  return result.stdout;
}

/** Resolves once `condition()` holds, polling; throws with `what` after `timeoutMs` (a hang guard, not a timing check). */
export async function waitFor(what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A random loopback address outside 127.0.0.0/16 (other tools and helpers use 127.0.0.1 and 127.0.1.1). */
export function randomLoopback(): string {
  const byte = () => 1 + Math.floor(Math.random() * 253);
  return `127.${byte()}.${byte()}.${byte()}`;
}

/**
 * A port free for TCP on `address` and on ::1 at the time of the call (UDP is not checked: Deno's UDP sockets are
 * unstable API; the random range makes a clash unlikely, and knotd failing to bind would fail the test loudly).
 */
export function freePort(address: string): number {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 40000);
    const opened: { close(): void }[] = [];
    try {
      for (const hostname of [address, "::1"]) {
        opened.push(Deno.listen({ hostname, port, transport: "tcp" }));
      }
      return port;
    } catch {
      continue;
    } finally {
      for (const socket of opened) socket.close();
    }
  }
  throw new Error("no free port");
}

/** The sensor running live, its stdout and stderr collected as they come. */
export class LiveSensor {
  stdout = "";
  stderr = "";
  readonly #child: Deno.ChildProcess;
  readonly #done: Promise<void>;

  private constructor(child: Deno.ChildProcess, cwd: string) {
    this.#child = child;
    child.status.then(() => {
      this.#exited = true;
      Deno.removeSync(cwd, { recursive: true });
    });
    const decoder = new TextDecoder();
    const drain = async (stream: ReadableStream<Uint8Array>, onText: (text: string) => void) => {
      for await (const chunk of stream) onText(decoder.decode(chunk, { stream: true }));
    };
    this.#done = Promise.all([
      drain(child.stdout, (t) => this.stdout += t),
      drain(child.stderr, (t) => this.stderr += t),
    ]).then(() => {});
  }

  /**
   * Starts main.ts with the shipped permissions on `args`, inside network namespace `netns` when given, and waits
   * for `ready` on its stderr (its "Capturing on" line by default). With a `user` prefix (setpriv, unshare), nothing
   * is waited for. `env` is added to its environment.
   */
  static async start(
    args: string[],
    netns?: string,
    user?: string[],
    ready = /Capturing on/,
    env: Record<string, string> = {},
  ): Promise<LiveSensor> {
    const command = [...(user ?? []), ...sensorArgv(args)];
    const argv = netns === undefined ? command : ["ip", "netns", "exec", netns, ...command];
    const cwd = Deno.makeTempDirSync();
    Deno.chmodSync(cwd, 0o755); // a user given with `user` must be able to look for .env there
    const child = new Deno.Command(argv[0], {
      args: argv.slice(1),
      cwd,
      env: { NO_COLOR: "1", ...env },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const sensor = new LiveSensor(child, cwd);
    if (user === undefined) {
      await waitFor(`the sensor to print ${ready}`, () => ready.test(sensor.stderr) || sensor.exited);
    }
    return sensor;
  }

  #exited = false;
  get exited(): boolean {
    return this.#exited;
  }

  /** Parsed records so far (whole lines only). */
  records(): Record<string, unknown>[] {
    const lines = this.stdout.split("\n");
    lines.pop();
    return lines.map((line) => JSON.parse(line));
  }

  /** Waits until no output has come for `quietMs` (what is left is written at exit: pending lookups given up on). */
  async settle(quietMs = 1500): Promise<void> {
    let length = -1;
    let since = Date.now();
    while (Date.now() - since < quietMs) {
      if (this.stdout.length !== length) [length, since] = [this.stdout.length, Date.now()];
      await sleep(50);
    }
  }

  /** Sends `signal` (unless null) and waits for the exit; returns the exit code. */
  async stop(signal: Deno.Signal | null = "SIGINT", timeoutMs = 30_000): Promise<number> {
    if (signal !== null) this.#child.kill(signal);
    // A sensor that does not end is a failure of the test, not a hang of the suite.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<null>((resolve) => timer = setTimeout(() => resolve(null), timeoutMs));
    const ended = await Promise.race([this.#child.status, late]);
    clearTimeout(timer);
    if (ended === null) {
      this.kill();
      throw new Error(`the sensor did not end within ${timeoutMs} ms of ${signal ?? "its end"}: ${this.stderr}`);
    }
    const status = ended;
    await this.#done;
    return status.code;
  }

  /** Waits for the process to end by itself. */
  async exit(): Promise<number> {
    return await this.stop(null);
  }

  signal(signal: Deno.Signal): void {
    this.#child.kill(signal);
  }

  kill(): void {
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** knotd serving example.test (scripts/real_traffic/) on `address`:`port` and [::1]:`port`, UDP and TCP. */
export async function startKnot(address: string, port: number): Promise<{ stop(): Promise<void> }> {
  const dir = await Deno.makeTempDir({ prefix: "live_knot_" });
  const config = [
    "server:",
    `    rundir: "${dir}"`,
    `    listen: [ ${address}@${port}, ::1@${port} ]`,
    "    udp-workers: 1",
    "    tcp-workers: 1",
    "    background-workers: 1",
    "database:",
    `    storage: "${dir}/db"`,
    "log:",
    `  - target: "${dir}/knot.log"`,
    "    any: info",
    "template:",
    "  - id: default",
    `    storage: "${dir}"`,
    "    journal-content: none",
    "    zonefile-sync: -1",
    "zone:",
    "  - domain: example.test.",
    `    file: "${ROOT}scripts/real_traffic/example.test.zone"`,
    "",
  ].join("\n");
  await Deno.writeTextFile(`${dir}/knot.conf`, config);
  const child = new Deno.Command("knotd", { args: ["-c", `${dir}/knot.conf`], stdout: "null", stderr: "null" }).spawn();
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // already gone
    }
    await child.status;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  try {
    const deadline = Date.now() + 15_000;
    while ((await dig(address, port, "example.test", "SOA")).status !== "NOERROR") {
      if (Date.now() > deadline) throw new Error(`knotd did not answer: ${await Deno.readTextFile(`${dir}/knot.log`)}`);
      await sleep(100);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { stop };
}

/** What a client saw of one lookup. */
export interface ClientLookup {
  server: string;
  name: string;
  type: string;
  tcp: boolean;
  id: number;
  status: string;
  /** Answer RDATA as dig prints it, names without their trailing dot. */
  answers: string[];
}

/** dig's (or kdig's) text of one or more responses, parsed. */
export function parseDigOutput(text: string, server: string, tcp: boolean): ClientLookup[] {
  const lookups: ClientLookup[] = [];
  let current: ClientLookup | null = null;
  let section = "";
  for (const line of text.split("\n")) {
    const header = /->>HEADER<<- opcode: \w+[,;] status: (\w+)[,;] id: (\d+)/.exec(line);
    if (header) {
      current = { server, name: "", type: "", tcp, id: Number(header[2]), status: header[1], answers: [] };
      lookups.push(current);
      section = "";
      continue;
    }
    const sectionName = /^;; (\w+) SECTION:/.exec(line);
    if (sectionName) {
      section = sectionName[1];
      continue;
    }
    if (current === null || line.trim() === "") continue;
    // dig writes the question as ";name", kdig as ";; name"; every other ";;" line is a comment.
    if (line.startsWith(";;") && section !== "QUESTION") continue;
    const fields = line.replace(/^;+/, "").trim().split(/\s+/);
    if (section === "QUESTION") {
      current.name = fields[0].replace(/\.$/, "");
      current.type = fields.at(-1)!;
    } else if (section === "ANSWER") {
      current.answers.push(fields.slice(4).join(" ").replace(/\.$/, ""));
    }
  }
  return lookups;
}

/**
 * One dig lookup, without cookies (so no second exchange). Up to three tries, so a loaded machine does not fail it; a
 * retransmitted query keeps its ID and port, and the sensor logs the lookup once.
 */
export async function dig(
  server: string,
  port: number,
  name: string,
  type: string,
  tcp = false,
): Promise<ClientLookup> {
  const args = ["+tries=3", "+time=2", "+nocookie", `@${server}`, "-p", String(port), name, type];
  if (tcp) args.unshift("+tcp");
  const result = await sh("dig", args);
  return parseDigOutput(result.stdout, server, tcp)[0] ??
    { server, name, type, tcp, id: -1, status: "NO_RESPONSE", answers: [] };
}

/** Two namespaces joined by a veth pair with names unique to this process; `close` deletes all of it. */
export interface VethPair {
  sendNs: string;
  sendIf: string;
  captureNs: string;
  captureIf: string;
  /** Deletes the send side's end (the pair goes with it): the capture side's interface disappears. */
  deleteLink(): Promise<void>;
  /** Creates the pair again after `deleteLink`. */
  recreateLink(): Promise<void>;
  close(): Promise<void>;
}

let pairs = 0;

export async function vethPair(): Promise<VethPair> {
  const tag = `lc${Deno.pid % 100000}x${pairs++}`;
  const pair: VethPair = {
    sendNs: `${tag}s`,
    sendIf: `${tag}s`,
    captureNs: `${tag}c`,
    captureIf: `${tag}c`,
    async deleteLink() {
      await must("ip", ["-n", pair.sendNs, "link", "del", pair.sendIf]);
    },
    async recreateLink() {
      await must("ip", [
        "link",
        "add",
        pair.sendIf,
        "netns",
        pair.sendNs,
        "mtu",
        "65535",
        "type",
        "veth",
        "peer",
        "name",
        pair.captureIf,
        "netns",
        pair.captureNs,
        "mtu",
        "65535",
      ]);
      await must("ip", ["-n", pair.sendNs, "link", "set", pair.sendIf, "up"]);
      await must("ip", ["-n", pair.captureNs, "link", "set", pair.captureIf, "up"]);
    },
    async close() {
      await sh("ip", ["netns", "del", pair.sendNs]);
      await sh("ip", ["netns", "del", pair.captureNs]);
    },
  };
  await must("ip", ["netns", "add", pair.sendNs]);
  await must("ip", ["netns", "add", pair.captureNs]);
  try {
    await pair.recreateLink();
  } catch (error) {
    await pair.close();
    throw error;
  }
  return pair;
}

/** Sends a capture file onto the send side of `pair` with its own timing (tcpreplay). */
export async function tcpreplay(pair: VethPair, path: string, extra: string[] = []): Promise<void> {
  await must("ip", ["netns", "exec", pair.sendNs, "tcpreplay", "-q", "-i", pair.sendIf, ...extra, path]);
}

/**
 * One classic pcap (nanosecond timestamps, Ethernet) holding the Ethernet frames of `paths` one file after the other,
 * with every gap between two frames cut to at most `maxGapNs`, so a live replay of many files stays short. Files of
 * another link type are left out. Returns the number of frames.
 */
export async function concatenateCaptures(paths: string[], out: string, maxGapNs: number): Promise<number> {
  const chunks: Uint8Array[] = [];
  const header = new DataView(new ArrayBuffer(24));
  header.setUint32(0, 0xa1b23c4d, true);
  header.setUint16(4, 2, true);
  header.setUint16(6, 4, true);
  header.setUint32(16, 262144, true);
  header.setUint32(20, LINKTYPE_ETHERNET, true);
  chunks.push(new Uint8Array(header.buffer));
  let clockNs = 1_700_000_000n * 1_000_000_000n;
  let frames = 0;
  for (const path of paths) {
    const source = await openCaptureFile(path);
    let previous: bigint | null = null;
    await source.run((packet) => {
      if (packet.linkType !== LINKTYPE_ETHERNET) return;
      const at = BigInt(packet.tsSec) * 1_000_000_000n + BigInt(packet.tsNsec);
      const gap = previous === null ? BigInt(maxGapNs) : at - previous;
      previous = at;
      clockNs += gap < 0n ? 0n : gap > BigInt(maxGapNs) ? BigInt(maxGapNs) : gap;
      const record = new DataView(new ArrayBuffer(16));
      record.setUint32(0, Number(clockNs / 1_000_000_000n), true);
      record.setUint32(4, Number(clockNs % 1_000_000_000n), true);
      record.setUint32(8, packet.data.length, true);
      record.setUint32(12, packet.origLen, true);
      chunks.push(new Uint8Array(record.buffer), packet.data.slice());
      frames++;
    }, () => Promise.resolve());
  }
  const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  await Deno.writeFile(out, bytes);
  return frames;
}
