/**
 * Network endpoints given as option text: `host:port` (`-statsd_host`, `-metrics_listen`) and the syslog server URL
 * (`-syslog_server udp://host:514`). Parsed the same way when the options are checked and when the sinks start.
 *
 * @module
 */

/** A host (name, IPv4, or IPv6 without brackets) and a port. */
export interface HostPort {
  host: string;
  port: number;
}

/** `host:port`, `[v6]:port`; null when the text is not of that form or the port is not 1-65535. */
export function parseHostPort(text: string): HostPort | null {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:\[\]/]+)):([0-9]{1,5})$/.exec(text);
  if (match === null) return null;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return null;
  return { host: match[1] ?? match[2], port };
}

/** A remote syslog server. */
export interface SyslogServer extends HostPort {
  transport: "udp" | "tcp";
}

/** `udp://host:port` or `tcp://host:port` (the scheme in any case; usual ports: 514 UDP, 601 TCP). */
export function parseSyslogServer(text: string): SyslogServer | null {
  const match = /^(udp|tcp):\/\/(.+)$/i.exec(text);
  if (match === null) return null;
  const endpoint = parseHostPort(match[2]);
  return endpoint === null ? null : { transport: match[1].toLowerCase() as "udp" | "tcp", ...endpoint };
}
