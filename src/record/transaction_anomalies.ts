import type { DnsAnomaly } from "../dns/anomalies.ts";

/**
 * The anomalies of one message, in the order first met, each once (src/dns/anomalies.ts `addAnomaly`), kept without
 * an array per message: a message has a handful at most.
 */
export class LegAnomalies {
  readonly #list: DnsAnomaly[] = [];

  get count(): number {
    return this.#list.length;
  }

  at(i: number): DnsAnomaly {
    return this.#list[i];
  }

  add(anomaly: DnsAnomaly): void {
    if (!this.#list.includes(anomaly)) this.#list.push(anomaly);
  }

  clear(): void {
    this.#list.length = 0;
  }
}
