/**
 * The Kafka sink: records to a topic through an idempotent `@platformatic/kafka` producer (acks=all), behind a
 * {@linkcode QueuedSink} that holds up to its queue bound while the brokers are slow or away and drops (and
 * counts) beyond it, so capture never waits for Kafka.
 *
 * - Key: the client address (`src` of a gopassivedns record, `client_ip` of a transaction record), so one client's
 *   lookups stay in order in one partition, chosen by the Java client's murmur2 partitioner (librdkafka's
 *   `murmur2_random` chooses the same; the original's producer sent everything to partition 0 without a key).
 * - Value: the record as the format writes it, without the newline (or its Avro encoding with `-kafka_avro`).
 * - A batch from the queue is sent in chunks of at most {@linkcode CHUNK_BYTES}, up to three produce requests in
 *   flight (measured: ~35 % more records/s than one at a time on the 1M-pair file); the chunks already acknowledged
 *   are remembered, so a retry of the batch resends only the rest. The producer retries a failed request itself for
 *   about a minute with the same producer id and sequence numbers, which the broker uses to drop duplicates;
 *   only after that does the queue's own retry (with back-off, a new producer id) take over.
 * - A permanent error ({@linkcode permanentFailure}: a record larger than the topic's `max.message.bytes`, no
 *   authorization for the topic) is not retried: the broker rejected only the failed partitions' records, the rest of
 *   the request is written. A record error resends the failed partitions' records one per request, so only the
 *   records the broker refuses on their own are lost; a topic error gives them all up. Those records are counted as
 *   `failed` (reported once per kind of error), at once rather than at the close deadline.
 *
 * The library costs ~250 ms to import, so it is imported only when a Kafka sink is built.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { getLogger } from "@logtape/logtape";
import type { Producer } from "@platformatic/kafka";
import { encodeAvroRecord } from "./kafka_avro.ts";
import type { KafkaSettings } from "./kafka_settings.ts";
import { type PermanentFailure, permanentFailure } from "./kafka_errors.ts";
import { QueuedSink, type QueuedSinkOptions, type RecordTransport } from "./queued_sink.ts";
import { SinkStartError } from "./sink_start_error.ts";

/** Most value bytes per produce request: under the broker's default 1 MiB limit per record batch. */
export const CHUNK_BYTES = 512 * 1024;

/** Produce requests in flight at once (the broker keeps order for up to 5 per idempotent producer). */
const IN_FLIGHT = 3;

/** The producer's own retries of one request: 40 attempts, 250 ms doubling to 2 s (jittered), about a minute. */
const PRODUCER_RETRIES = 40;
const PRODUCER_RETRY_MS = [250, 500, 1000, 2000] as const;

const SRC_FIELD = new TextEncoder().encode('"src":"');
const CLIENT_IP_FIELD = new TextEncoder().encode('"client_ip":"');
const UTF8 = new TextDecoder();
const QUOTE = 0x22;
const NEWLINE = 0x0a;

type Message = { topic: string; key: Buffer | undefined; value: Buffer };

/** The record formats, whose client address field is the message key. */
export type KafkaFormat = "gopassivedns" | "transaction";

/** Where `needle` first occurs in `haystack[from, to)`, or -1. */
function indexOfBytes(haystack: Uint8Array, needle: Uint8Array, from: number, to: number): number {
  const first = needle[0];
  let at = haystack.indexOf(first, from);
  while (at !== -1 && at + needle.length <= to) {
    let i = 1;
    while (i < needle.length && haystack[at + i] === needle[i]) i++;
    if (i === needle.length) return at;
    at = haystack.indexOf(first, at + 1);
  }
  return -1;
}

/**
 * Splits a batch of records into Kafka messages keyed by the client address. Keys and JSON values are views into
 * `records` (no copy): the queue keeps the batch until its delivery settles.
 */
export function toMessages(records: Uint8Array, topic: string, format: KafkaFormat, avro: boolean): Message[] {
  const field = format === "transaction" ? CLIENT_IP_FIELD : SRC_FIELD;
  const messages: Message[] = [];
  const view = Buffer.from(records.buffer, records.byteOffset, records.byteLength);
  let start = 0;
  while (start < records.length) {
    let end = records.indexOf(NEWLINE, start);
    if (end === -1) end = records.length;
    let key: Buffer | undefined;
    const at = indexOfBytes(records, field, start, end);
    if (at !== -1) {
      const keyStart = at + field.length;
      const keyEnd = records.indexOf(QUOTE, keyStart);
      if (keyEnd !== -1 && keyEnd < end) key = view.subarray(keyStart, keyEnd);
    }
    const value = avro
      ? Buffer.from(encodeAvroRecord(UTF8.decode(records.subarray(start, end))))
      : view.subarray(start, end);
    messages.push({ topic, key, value });
    start = end + 1;
  }
  return messages;
}

/** Delivers batches of records to one topic; resolves when every record of the batch is acknowledged. */
export class KafkaTransport implements RecordTransport {
  readonly #producer: Producer<Buffer, Buffer, Buffer, Buffer>;
  readonly #settings: KafkaSettings;
  readonly #format: KafkaFormat;
  /**
   * The batch being delivered, which of its chunks are acknowledged (so a retry skips them), which of its messages
   * are settled one by one after a permanent error (1 delivered, 2 never deliverable) and how many can never be.
   */
  #current: { records: Uint8Array; acknowledged: Uint8Array; settled: Uint8Array; undeliverable: number } | null = null;
  /** The permanent errors already reported on stderr. */
  readonly #reported = new Set<string>();

  readonly #beforeClose: () => void;

  constructor(
    producer: Producer<Buffer, Buffer, Buffer, Buffer>,
    settings: KafkaSettings,
    format: KafkaFormat,
    beforeClose: () => void = () => {},
  ) {
    this.#producer = producer;
    this.#settings = settings;
    this.#format = format;
    this.#beforeClose = beforeClose;
  }

  async send(records: Uint8Array): Promise<number> {
    const messages = toMessages(records, this.#settings.topic, this.#format, this.#settings.avro);
    // Chunk boundaries depend only on the batch, so a retry of the same batch sees the same chunks.
    const chunks: [number, number][] = [];
    for (let start = 0; start < messages.length;) {
      let end = start + 1;
      let bytes = messages[start].value.length;
      while (end < messages.length && bytes + messages[end].value.length <= CHUNK_BYTES) {
        bytes += messages[end++].value.length;
      }
      chunks.push([start, end]);
      start = end;
    }
    if (this.#current?.records !== records) {
      const settled = new Uint8Array(messages.length);
      this.#current = { records, acknowledged: new Uint8Array(chunks.length), settled, undeliverable: 0 };
    }
    const current = this.#current;
    const { acknowledged } = current;
    // Up to IN_FLIGHT requests at once, started in order: the client gives them consecutive sequence numbers and
    // writes them in order on one connection per broker, which the idempotent broker accepts in order.
    let next = 0;
    let failure: unknown = null;
    const worker = async () => {
      while (failure === null && next < chunks.length) {
        const index = next++;
        if (acknowledged[index] === 1) continue;
        const [start, end] = chunks[index];
        try {
          await this.#producer.send({ messages: messages.slice(start, end) });
          acknowledged[index] = 1;
        } catch (error) {
          const permanent = permanentFailure(error);
          if (permanent === null) {
            failure ??= error;
            continue;
          }
          try {
            await this.#sendApart(messages.slice(start, end), current.settled.subarray(start, end), permanent);
            acknowledged[index] = 1;
          } catch (error) {
            failure ??= error;
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, chunks.length) }, worker));
    if (failure !== null) throw failure;
    this.#current = null;
    return current.undeliverable;
  }

  /**
   * After a permanent error on a chunk: its records in the partitions that were written are delivered; those in the
   * rejected partitions are sent one per request (a record error) or given up (a topic error). A transient error on
   * the way throws, and the queue's retry resumes with the records not yet settled.
   */
  async #sendApart(messages: Message[], settled: Uint8Array, failure: PermanentFailure): Promise<void> {
    this.#reportPermanent(failure);
    const { compatibilityPartitioner } = await import("@platformatic/kafka"); // loaded already: the producer's
    const topic = this.#settings.topic;
    const partitions = failure.partitions === null
      ? 0
      : (await this.#producer.metadata({ topics: [topic] })).topics.get(topic)?.partitionsCount ?? 0;
    for (let i = 0; i < messages.length; i++) {
      if (settled[i] !== 0) continue;
      const { key } = messages[i];
      // The producer's own choice of partition: the partitioner's number modulo the topic's partitions.
      const rejected = failure.partitions === null || partitions === 0 ||
        failure.partitions.has(`${topic}:${compatibilityPartitioner(messages[i], key) % partitions}`);
      let delivered = !rejected;
      if (rejected && failure.kind === "record") {
        try {
          await this.#producer.send({ messages: [messages[i]] });
          delivered = true;
        } catch (error) {
          const permanent = permanentFailure(error);
          if (permanent === null) throw error;
          this.#reportPermanent(permanent);
        }
      }
      settled[i] = delivered ? 1 : 2;
      if (!delivered) this.#current!.undeliverable++;
    }
  }

  #reportPermanent(failure: PermanentFailure): void {
    if (this.#reported.has(failure.reason)) return;
    this.#reported.add(failure.reason);
    getLogger(["denopassivedns", "kafka"]).warn(
      `Sink kafka: the brokers refuse records for good (${failure.reason}); they are counted as failed, not retried`,
    );
  }

  async close(): Promise<void> {
    this.#beforeClose();
    await this.#producer.close(true);
  }
}

/** Reads the PEM files named by the TLS options (a missing file is reported at start-up, naming the option). */
async function tlsOptions(tls: NonNullable<KafkaSettings["tls"]>) {
  const read = async (path: string, option: string) => {
    if (path === "") return undefined;
    try {
      return await Deno.readTextFile(path);
    } catch (error) {
      throw new SinkStartError(`cannot read ${path} (-${option}): ${(error as Error).message}`);
    }
  };
  const [ca, cert, key] = await Promise.all([
    read(tls.ca, "kafka_tls_ca"),
    read(tls.cert, "kafka_tls_cert"),
    read(tls.key, "kafka_tls_key"),
  ]);
  return { ca, cert, key };
}

/**
 * The client retries for over a minute before a send fails and the queue reports it: say on stderr, once per
 * episode, when a broker connection is lost or cannot be made, and when it is back.
 */
function reportConnectionTrouble(producer: Producer<Buffer, Buffer, Buffer, Buffer>): () => void {
  const log = getLogger(["denopassivedns", "kafka"]);
  const down = new Set<string>();
  const name = (payload: { broker?: { host: string; port: number } }) =>
    payload?.broker === undefined ? "a broker" : `${payload.broker.host}:${payload.broker.port}`;
  const lost = (what: string) => (payload: { broker?: { host: string; port: number } }) => {
    const broker = name(payload);
    if (down.has(broker)) return;
    down.add(broker);
    log.warn(`Sink kafka: ${what} ${broker}; the producer retries, records wait in the queue`);
  };
  producer.on("client:broker:failed", lost("cannot connect to"));
  producer.on("client:broker:disconnect", lost("lost the connection to"));
  producer.on("client:broker:connect", (payload: { broker?: { host: string; port: number } }) => {
    if (down.delete(name(payload))) log.info(`Sink kafka: connected to ${name(payload)} again`);
  });
  // Closing the producer disconnects it: not news.
  return () => {
    for (const event of ["client:broker:failed", "client:broker:disconnect", "client:broker:connect"]) {
      producer.removeAllListeners(event);
    }
  };
}

/** Builds the producer and its queued sink. Imports the client library only now (it costs ~250 ms). */
export async function createKafkaSink(
  settings: KafkaSettings,
  format: KafkaFormat,
  sinkName: string,
  options: Partial<QueuedSinkOptions> = {},
): Promise<QueuedSink> {
  const { Producer, ProduceAcks, compatibilityPartitioner } = await import("@platformatic/kafka");
  const producer = new Producer<Buffer, Buffer, Buffer, Buffer>({
    clientId: `denopassivedns-${sinkName}`,
    bootstrapBrokers: settings.brokers,
    idempotent: true,
    acks: ProduceAcks.ALL,
    compression: settings.compression,
    partitioner: compatibilityPartitioner,
    autocreateTopics: false,
    retries: PRODUCER_RETRIES,
    retryDelay: (_client, _operation, attempt) => {
      const base = PRODUCER_RETRY_MS[Math.min(attempt - 1, PRODUCER_RETRY_MS.length - 1)];
      return base / 2 + Math.random() * base / 2;
    },
    connectTimeout: 5_000,
    ...(settings.tls === null ? {} : { tls: await tlsOptions(settings.tls) }),
    ...(settings.sasl === null ? {} : { sasl: { ...settings.sasl } }),
  });
  const quiet = reportConnectionTrouble(producer);
  // Topics are never auto-created: say at once when the topic is missing, rather than after a minute of retries.
  // In the background, so that brokers that are away do not delay the capture.
  producer.metadata({ topics: [settings.topic], autocreateTopics: false, retries: 0 }).catch((error: Error) => {
    if (/Unknown topic/.test(error.message)) {
      getLogger(["denopassivedns", "kafka"]).error(
        `Sink kafka: topic ${settings.topic} does not exist on the brokers (-kafka_topic); records wait in the queue`,
      );
    }
  });
  return new QueuedSink("kafka", new KafkaTransport(producer, settings, format, quiet), options);
}
