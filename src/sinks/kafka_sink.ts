/**
 * The Kafka sink: records to a topic through an idempotent `@platformatic/kafka` producer (acks=all), behind a
 * {@linkcode QueuedSink} that holds up to its queue bound while the brokers are slow or away and drops (and
 * counts) beyond it, so capture never waits for Kafka.
 *
 * - Key: the client address (`src` of a gopassivedns record, `client_ip` of a transaction record), so one client's
 *   lookups stay in order in one partition, chosen by the Java client's murmur2 partitioner (librdkafka's
 *   `murmur2_random` chooses the same; the original's producer sent everything to partition 0 without a key).
 * - Value: the record as the format writes it, without the newline (or its Avro encoding with `-kafka_avro`).
 * - A batch from the queue is sent in chunks of at most {@linkcode CHUNK_BYTES}, up to three chunks in flight
 *   (measured: ~35 % more records/s than one at a time on the 1M-pair file), each as one produce request, or with
 *   several brokers one per partition (see `send`); what is already acknowledged is remembered, so a retry of the
 *   batch resends only the rest. The producer retries a failed request itself for about a minute with the same
 *   producer id and sequence numbers, which the broker uses to drop duplicates; only after that does the queue's own
 *   retry (with back-off, a new producer id) take over.
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
import { type PermanentFailure, permanentFailure, staleMetadata } from "./kafka_errors.ts";
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

type Message = { topic: string; key: Buffer | undefined; value: Buffer; partition?: number };

/** The producer's partitioner: a message's partition is its number modulo the topic's partitions. */
type Partitioner = (message: Message, key: Buffer | undefined) => number;

/**
 * The messages of `messages[start, end)` (their indices) by the partition the producer puts them in, each pinned to
 * it; one group, -1, left to the producer, when the partition count is unknown.
 */
function byPartition(
  messages: Message[],
  [start, end]: [number, number],
  partitions: number,
  partitioner: Partitioner,
): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  for (let i = start; i < end; i++) {
    const partition = partitions > 0 ? partitioner(messages[i], messages[i].key) % partitions : -1;
    if (partition >= 0) messages[i].partition = partition;
    const group = groups.get(partition);
    if (group === undefined) groups.set(partition, [i]);
    else group.push(i);
  }
  return groups;
}

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
   * The batch being delivered, which of its chunks' partitions (`chunk:partition`) are acknowledged (so a retry skips
   * them), which of its messages are settled one by one after a permanent error (1 delivered, 2 never deliverable)
   * and how many can never be.
   */
  #current: { records: Uint8Array; acknowledged: Set<string>; settled: Uint8Array; undeliverable: number } | null =
    null;
  /** The permanent errors already reported on stderr. */
  readonly #reported = new Set<string>();

  readonly #beforeClose: () => void;
  readonly #partitioner: Partitioner;

  constructor(
    producer: Producer<Buffer, Buffer, Buffer, Buffer>,
    settings: KafkaSettings,
    format: KafkaFormat,
    beforeClose: () => void = () => {},
    partitioner: Partitioner = () => 0,
  ) {
    this.#producer = producer;
    this.#settings = settings;
    this.#format = format;
    this.#beforeClose = beforeClose;
    this.#partitioner = partitioner;
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
      this.#current = { records, acknowledged: new Set(), settled, undeliverable: 0 };
    }
    const current = this.#current;
    const { acknowledged } = current;
    const partitions = await this.#partitionsToSplit();
    // Up to IN_FLIGHT chunks at once, started in order: the client gives them consecutive sequence numbers per
    // partition and writes them in order on one connection per broker, which the idempotent broker accepts in order.
    // With several brokers, a chunk is sent as one request per partition, because the client retries a request with
    // the leader of its first partition: a request for two partitions whose leader died went, after the two moved to
    // two brokers, to one of them for both, refused for the other partition on every retry of the minute (measured
    // on a three-broker cluster with a leader killed: 18 353 and 34 400 of 36 589 records failed).
    let next = 0;
    let failure: unknown = null;
    const sendGroup = async (part: string, indices: number[]) => {
      const group = indices.map((i) => messages[i]);
      try {
        await this.#producer.send({ messages: group });
        acknowledged.add(part);
      } catch (error) {
        const permanent = permanentFailure(error);
        if (permanent === null) {
          failure ??= error;
          return;
        }
        try {
          await this.#sendApart(messages, indices, permanent);
          acknowledged.add(part);
        } catch (error) {
          failure ??= error;
        }
      }
    };
    const worker = async () => {
      while (failure === null && next < chunks.length) {
        const index = next++;
        const sends: Promise<void>[] = [];
        for (const [partition, indices] of byPartition(messages, chunks[index], partitions, this.#partitioner)) {
          const part = `${index}:${partition}`;
          if (!acknowledged.has(part)) sends.push(sendGroup(part, indices));
        }
        await Promise.all(sends);
      }
    };
    await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, chunks.length) }, worker));
    if (failure !== null) throw failure;
    this.#current = null;
    return current.undeliverable;
  }

  /**
   * The topic's partitions when the cluster has more than one broker (from the client's metadata, fetched when it has
   * none), else 0: one broker leads every partition, so a request for several cannot go to a wrong leader, and one
   * request per chunk costs less (measured with `deno task bench:kafka`, paced at 50 000 records/s: one request per
   * partition doubled the sink's CPU, 0.65 to 1.32 CPU-s per 100 000 records). 0 too when the brokers are away.
   */
  async #partitionsToSplit(): Promise<number> {
    const topic = this.#settings.topic;
    try {
      const metadata = await this.#producer.metadata({ topics: [topic] });
      return metadata.brokers.size > 1 ? metadata.topics.get(topic)?.partitionsCount ?? 0 : 0;
    } catch {
      return 0; // the send fails and is retried as a whole
    }
  }

  /**
   * After a permanent error on a chunk: its records in the partitions that were written are delivered; those in the
   * rejected partitions are sent one per request (a record error) or given up (a topic error). A transient error on
   * the way throws, and the queue's retry resumes with the records not yet settled.
   */
  async #sendApart(messages: Message[], indices: number[], failure: PermanentFailure): Promise<void> {
    this.#reportPermanent(failure);
    const topic = this.#settings.topic;
    const partitions = failure.partitions === null
      ? 0
      : (await this.#producer.metadata({ topics: [topic] })).topics.get(topic)?.partitionsCount ?? 0;
    const settled = this.#current!.settled;
    for (const i of indices) {
      if (settled[i] !== 0) continue;
      const { key } = messages[i];
      // The producer's own choice of partition: the partitioner's number modulo the topic's partitions.
      const rejected = failure.partitions === null || partitions === 0 ||
        failure.partitions.has(`${topic}:${this.#partitioner(messages[i], key) % partitions}`);
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
    retryDelay: (_client, _operation, attempt, _retries, error) => {
      // The library refreshes its metadata before a retry only after a network error. After a leader change the
      // broker it still sends to answers NOT_LEADER_OR_FOLLOWER, and every retry of the minute went to that same
      // broker (measured on a three-broker cluster with a leader killed: 34 836 of 36 589 records failed). Cleared,
      // the metadata is fetched again before the next attempt, which finds the new leader.
      if (staleMetadata(error)) producer.clearMetadata();
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
  const transport = new KafkaTransport(producer, settings, format, quiet, compatibilityPartitioner);
  return new QueuedSink("kafka", transport, options);
}
