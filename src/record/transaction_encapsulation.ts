import type { Tunnel, TunnelKind } from "../decode/tunnels.ts";
import type { RecordBuffer } from "./record_buffer.ts";

/** The name of a tunnel's identifier in the record, by kind. */
const ID_FIELD: Readonly<Record<TunnelKind, string | null>> = {
  vxlan: "vni",
  geneve: "vni",
  gre: "key",
  gre_udp: "key",
  erspan_1: null,
  erspan_2: "session_id",
  erspan_3: "session_id",
  pptp: "call_id",
  gtpu: "teid",
  "4in4": null,
  "6in4": null,
  "4in6": null,
  "6in6": null,
  mpls: null,
  pppoe: "session_id",
  teredo: null,
};

function encapsulation(tunnel: Tunnel): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    kind: tunnel.kind,
    outer_src_ip: tunnel.outerSrcIp,
    outer_dst_ip: tunnel.outerDstIp,
  };
  const idField = ID_FIELD[tunnel.kind];
  if (idField !== null && tunnel.id !== null) entry[idField] = tunnel.id;
  if (tunnel.labels !== null) entry.labels = tunnel.labels;
  return entry;
}

/**
 * `,"encapsulation":[…]`: the encapsulations a message came through, outermost first (rare: built as objects and
 * stringified; every part is ASCII).
 */
export function writeEncapsulation(out: RecordBuffer, tunnels: readonly Tunnel[]): void {
  out.ascii(',"encapsulation":' + JSON.stringify(tunnels.map(encapsulation)));
}
