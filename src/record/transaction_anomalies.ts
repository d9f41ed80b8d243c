import type { DnsAnomaly } from "../dns/anomalies.ts";

/**
 * The anomalies of one message, in the order first met, each once (src/dns/anomalies.ts `addAnomaly`), kept in one
 * reused array: a message has a handful at most.
 */
export class LegAnomalies {
  readonly #list: DnsAnomaly[] = [];
  #count = 0;

  get count(): number {
    return this.#count;
  }

  at(i: number): DnsAnomaly {
    return this.#list[i];
  }

  add(anomaly: DnsAnomaly): void {
    for (let i = 0; i < this.#count; i++) if (this.#list[i] === anomaly) return;
    this.#list[this.#count++] = anomaly;
  }

  clear(): void {
    this.#count = 0;
  }
}
