/**
 * Test helper: the real Etsy statsd daemon (npm `statsd` 0.9.0, installed by scripts/install_test_deps.sh under
 * `/opt/denopassivedns-test/statsd`, or `$STATSD_DIR`), run under the machine's Node on free loopback ports with a
 * flush interval of an hour, so everything received stays readable through its admin port (`counters`, `gauges`,
 * `stats` with `bad_lines_seen`).
 */
import { freeUdpPort } from "./_ports.ts";

export const STATSD_DIR = Deno.env.get("STATSD_DIR") ?? "/opt/denopassivedns-test/statsd";

export interface Statsd {
  port: number;
  /** Sends an admin command and returns its answer without the closing `END`. */
  admin(command: string): Promise<string>;
  counters(): Promise<Record<string, number>>;
  gauges(): Promise<Record<string, number>>;
  badLines(): Promise<number>;
  stop(): Promise<void>;
}

export async function startStatsd(): Promise<Statsd> {
  const main = `${STATSD_DIR}/node_modules/statsd/stats.js`;
  try {
    Deno.statSync(main);
  } catch {
    throw new Error(`statsd is not installed at ${STATSD_DIR}: run scripts/install_test_deps.sh`);
  }
  const dir = await Deno.makeTempDir({ prefix: "statsd-" });
  const port = await freeUdpPort();
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const adminPort = (listener.addr as Deno.NetAddr).port;
  listener.close();
  await Deno.writeTextFile(
    `${dir}/config.js`,
    `{ address: "127.0.0.1", port: ${port}, mgmt_address: "127.0.0.1", mgmt_port: ${adminPort}, ` +
      `flushInterval: 3600000, backends: ["./backends/console"] }\n`,
  );
  const child = new Deno.Command("node", {
    args: [main, `${dir}/config.js`],
    cwd: `${STATSD_DIR}/node_modules/statsd`,
    stdout: "null",
    stderr: "null",
  }).spawn();

  async function admin(command: string): Promise<string> {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: adminPort });
    await conn.write(new TextEncoder().encode(`${command}\n`));
    let answer = "";
    const buffer = new Uint8Array(65536);
    while (!answer.includes("END")) {
      const n = await conn.read(buffer);
      if (n === null) break;
      answer += new TextDecoder().decode(buffer.subarray(0, n));
    }
    conn.close();
    return answer.slice(0, answer.lastIndexOf("END"));
  }
  for (let i = 0;; i++) {
    try {
      await admin("stats");
      break;
    } catch (error) {
      if (i > 200) {
        child.kill();
        throw new Error(`statsd did not start: ${error}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  /** The admin port answers with a JavaScript object literal (`{ 'a.b': 1 }`): parsed as JSON after quoting. */
  const objectOf = (text: string): Record<string, number> =>
    JSON.parse(text.trim().replace(/'/g, '"').replace(/([{,]\s*)([A-Za-z_$][\w$]*)\s*:/g, '$1"$2":'));
  return {
    port,
    admin,
    counters: async () => objectOf(await admin("counters")),
    gauges: async () => objectOf(await admin("gauges")),
    async badLines() {
      const match = /bad_lines_seen: (\d+)/.exec(await admin("stats"));
      if (match === null) throw new Error("statsd's stats have no bad_lines_seen");
      return Number(match[1]);
    },
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      await Deno.remove(dir, { recursive: true });
    },
  };
}
