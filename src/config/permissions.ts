/**
 * Deno permission flags narrowed to one resolved {@link Config}: the launcher (`bin/denopassivedns`) resolves the
 * configuration with the program's own {@link loadConfig}, asks this module which files, directories and hosts the
 * run touches, and starts the sensor with exactly those grants. Options are described once, in `options.ts`; this
 * module only says, per option that names a resource, what kind of resource it is ({@link RESOURCE_OPTIONS}).
 *
 * What Deno can and cannot scope (Deno 2.9, measured):
 * - read, write and net take lists of paths and hosts; a path covers everything below it.
 * - FFI cannot be scoped: `Deno.UnsafePointerView` needs the unscoped `--allow-ffi`, so it is granted whole, and
 *   always: the stdout sink and the signal watchdog call libc in every run (libpcap for live capture and `-bpf`).
 * - A UDP send to a name (`node:dgram`) is checked twice: the lookup as the name without a port, the send as the
 *   resolved `address:port`; so the name is granted on every port and the launcher resolves it once at start-up
 *   ({@link resolveUdpPeers}) to grant its addresses on the port. The client's ephemeral bind is checked as
 *   `0.0.0.0:0` (`[::]:0`). TCP (`node:net`) to `name:port` needs only `name:port`.
 * - `-cpuprofile` needs the inspector, which only the unscoped `--allow-sys` grants (`--allow-sys=inspector` is
 *   rejected by Deno 2.9); otherwise only `--allow-sys=hostname`.
 * - `--allow-env` stays whole: the configuration reads the whole environment (`PDNS_*` and warnings about unknown ones).
 *
 * @module
 */

import { resolvePath } from "./_path.ts";
import type { Config } from "./config.ts";
import { ConfigError } from "./config_error.ts";
import { OPTIONS_BY_NAME } from "./options.ts";

/** What an option's value names, hence the permission it needs. */
export type ResourceUse =
  /** A file that is read (`-` means standard input and needs nothing). */
  | "read_file"
  /** A file that is created and written. */
  | "write_file"
  /** A file that is written and rotated beside itself: read and write of its directory. */
  | "rotated_file"
  /** A Unix socket connected to: read and write of its path; or `tcp://host:port`, a TCP peer. */
  | "unix_socket"
  /** `host:port` entries connected to over TCP. */
  | "tcp_peer"
  /** `host:port` entries sent to over UDP from an ephemeral local port. */
  | "udp_peer"
  /** A `host:port` listened on. */
  | "listen";

/**
 * Every option whose value names a file, socket or address, by flag name. An option that is not (yet) in the
 * options table is skipped, so a feature's entry can be listed before its option lands. `options_test` style guard:
 * `permissions_test.ts` fails when an option with a file or address placeholder has no entry here.
 */
export const RESOURCE_OPTIONS: Readonly<Record<string, ResourceUse>> = {
  pcap: "read_file",
  kafka_tls_ca: "read_file",
  kafka_tls_cert: "read_file",
  kafka_tls_key: "read_file",
  cpuprofile: "write_file",
  logfile: "rotated_file",
  fluentd_socket: "unix_socket",
  kafka_brokers: "tcp_peer",
  statsd_host: "udp_peer",
  syslog_server: "tcp_peer", // udp://host:port or tcp://host:port
  metrics_listen: "listen",
};

/** The permission set a run gets, before it is written as flags. */
export interface Grants {
  read: string[];
  write: string[];
  net: string[];
  /** libc and libpcap through FFI: always (see the module's notes); a field so that a run without it can be built. */
  ffi: boolean;
  /** The unscoped `--allow-sys` (the inspector for `-cpuprofile`); otherwise `hostname` only. */
  allSys: boolean;
  /** UDP peers given by name: their addresses are granted on `port` once resolved ({@link resolveUdpPeers}). */
  udpNames: { host: string; port: number }[];
}

/**
 * The grants one configuration needs.
 *
 * @example
 * ```ts
 * import { loadConfig } from "./load.ts";
 * const io = { cwd: "/srv", readTextFile: () => null, fileExists: () => true, hostname: () => "s1", parseEnvFile: () => ({}) };
 * const result = loadConfig(["-pcap", "in.pcap", "-logfile", "/var/log/pdns/dns.log"], {}, io);
 * if (result.kind === "run") console.log(grantsFor(result.config, "/srv").write); // ["/var/log/pdns"]
 * ```
 * @param cwd the working directory relative paths are resolved against (as `loadConfig` did).
 * @throws {ConfigError} for a path Deno's flag syntax cannot express (a comma or a line break in it).
 */
export function grantsFor(config: Config, cwd: string): Grants {
  const grants: Grants = {
    read: [],
    write: [],
    net: [],
    ffi: true,
    allSys: config.cpuprofile !== "",
    udpNames: [],
  };
  // The default ./.env is probed even when absent (a refused stat would read as "exists, unreadable").
  grants.read.push(resolvePath(cwd, ".env"));
  if (config.envFile !== null) grants.read.push(config.envFile);
  for (const [name, use] of Object.entries(RESOURCE_OPTIONS)) {
    const option = OPTIONS_BY_NAME.get(name);
    if (option === undefined) continue;
    const value = config[option.key] as unknown;
    const values = (Array.isArray(value) ? value : [value]).filter((v): v is string =>
      typeof v === "string" && v !== ""
    );
    for (const text of values) grant(grants, use, text, cwd, name);
  }
  for (const list of [grants.read, grants.write, grants.net]) {
    const unique = [...new Set(list)];
    list.splice(0, list.length, ...unique);
  }
  return grants;
}

/** The `deno run` permission flags for {@link grantsFor}'s result, one flag per element. */
export function permissionFlags(grants: Grants): string[] {
  const flags = ["--allow-env", grants.allSys ? "--allow-sys" : "--allow-sys=hostname"];
  if (grants.read.length > 0) flags.push(`--allow-read=${grants.read.join(",")}`);
  if (grants.write.length > 0) flags.push(`--allow-write=${grants.write.join(",")}`);
  if (grants.net.length > 0) flags.push(`--allow-net=${grants.net.join(",")}`);
  if (grants.ffi) flags.push("--allow-ffi");
  return flags;
}

/**
 * Adds the addresses of {@link Grants.udpNames} on their ports, resolved now through the system resolver (as the
 * sensor's UDP client will). A name that does not resolve keeps only its name grant: the sensor then reports the
 * failure itself. Needs `--allow-net` for the lookups.
 */
export async function resolveUdpPeers(grants: Grants): Promise<void> {
  const { lookup } = await import("node:dns/promises");
  for (const { host, port } of grants.udpNames) {
    try {
      for (const { address, family } of await lookup(host, { all: true })) {
        grants.net.push(family === 6 ? `[${address}]:${port}` : `${address}:${port}`);
        if (family === 6 && !grants.net.includes("[::]:0")) grants.net.push("[::]:0");
      }
    } catch {
      // left to the sensor, which names the host in its own error
    }
  }
  grants.net.splice(0, grants.net.length, ...new Set(grants.net));
}

function grant(grants: Grants, use: ResourceUse, text: string, cwd: string, option: string): void {
  // A URL's scheme says the transport (`-syslog_server udp://…`, `-fluentd_socket tcp://…`).
  const url = /^(udp|tcp):\/\/(.*)$/.exec(text);
  if (url !== null) {
    [use, text] = [url[1] === "udp" ? "udp_peer" : "tcp_peer", url[2]];
  }
  switch (use) {
    case "read_file":
      if (text !== "-") grants.read.push(checkedPath(cwd, text, option));
      return;
    case "write_file":
      grants.write.push(checkedPath(cwd, text, option));
      return;
    case "rotated_file": {
      const path = checkedPath(cwd, text, option);
      const directory = path.slice(0, path.lastIndexOf("/")) || "/";
      grants.read.push(directory);
      grants.write.push(directory);
      return;
    }
    case "unix_socket": {
      const path = checkedPath(cwd, text, option);
      grants.read.push(path);
      grants.write.push(path);
      return;
    }
    case "tcp_peer":
      grants.net.push(netGrant(text, true));
      return;
    case "listen":
      grants.net.push(netGrant(text.startsWith(":") ? `0.0.0.0${text}` : text, true));
      return;
    case "udp_peer": {
      const host = netGrant(text, false);
      const port = Number(/:(\d+)$/.exec(text)?.[1]);
      if (host !== text && !host.startsWith("[") && Number.isInteger(port)) grants.udpNames.push({ host, port });
      grants.net.push(host, host.startsWith("[") ? "[::]:0" : "0.0.0.0:0");
      return;
    }
  }
}

function checkedPath(cwd: string, text: string, option: string): string {
  const path = resolvePath(cwd, text);
  if (/[,\n\r]/.test(path)) {
    throw new ConfigError(
      `-${option} ${JSON.stringify(text)} cannot be granted to Deno (a comma or line break in a path cannot be ` +
        "written in a permission flag): rename it, or run without the launcher's scoped permissions",
      option,
      text,
    );
  }
  return path;
}

/**
 * `host:port` as Deno's `--allow-net` wants it; a bare IPv6 address gets its brackets. With `keepPort` false a host
 * name loses its port: `node:dgram` resolves it through `node:dns`, which Deno checks as the name without a port (an
 * IP literal is not looked up and keeps its port).
 */
function netGrant(text: string, keepPort: boolean): string {
  let host = text;
  let port: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed !== null) [host, port] = [`[${bracketed[1]}]`, bracketed[2]];
  else if ((text.match(/:/g) ?? []).length > 1) host = `[${text}]`;
  else if (text.includes(":")) [host, port] = text.split(":");
  const isIp = host.startsWith("[") || /^\d{1,3}(\.\d{1,3}){3}$/.test(host);
  return port !== undefined && port !== "" && (keepPort || isIp) ? `${host}:${port}` : host;
}
