/**
 * Test helper: loopback ports free at the time of the call, chosen by the kernel (bind to port 0), for the servers
 * the tests start (Kafka, rsyslog, statsd, the Prometheus listener).
 *
 * @module
 */
import dgram from "node:dgram";

/** A TCP port nobody listens on now on 127.0.0.1. */
export function freeTcpPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** A UDP port nobody is bound to now on 127.0.0.1 (node:dgram: Deno's own UDP sockets are unstable API). */
export async function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", () => resolve()));
  const port = socket.address().port;
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}
