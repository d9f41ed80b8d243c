/**
 * The Kafka options checked and turned into producer settings before anything starts, so a bad combination is a
 * usage error (exit 2) naming the option, never a failure halfway through a capture.
 *
 * @module
 */

import type { Config } from "../config/config.ts";
import { ConfigError } from "../config/config_error.ts";

/** Kafka's default listener port, added to a broker given without one. */
export const DEFAULT_KAFKA_PORT = 9092;

export interface KafkaBroker {
  /** Host name or IP address (IPv6 without brackets). */
  host: string;
  port: number;
}

export interface KafkaSettings {
  brokers: KafkaBroker[];
  topic: string;
  avro: boolean;
  compression: "none" | "gzip" | "snappy" | "lz4" | "zstd";
  /** PEM file names; `tls` is on when any is set or -kafka_tls is. */
  tls: { ca: string; cert: string; key: string } | null;
  sasl: { mechanism: "PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512"; username: string; password: string } | null;
}

/**
 * One `-kafka_brokers` entry: `host`, `host:port`, `[v6]`, `[v6]:port`, or a bare IPv6 address (then port 9092).
 *
 * @example
 * ```ts
 * import { parseBroker } from "./kafka_settings.ts";
 * parseBroker("[::1]:9093"); // { host: "::1", port: 9093 }
 * parseBroker("kafka1"); // { host: "kafka1", port: 9092 }
 * ```
 */
export function parseBroker(entry: string): KafkaBroker | null {
  let host: string;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(entry);
  if (bracketed !== null) {
    [, host, portText] = bracketed;
    if (!host.includes(":")) return null; // brackets are for IPv6 literals only
  } else if (entry.indexOf(":") !== entry.lastIndexOf(":")) {
    host = entry; // several colons and no brackets: an IPv6 literal without a port
  } else {
    const colon = entry.indexOf(":");
    host = colon === -1 ? entry : entry.slice(0, colon);
    portText = colon === -1 ? undefined : entry.slice(colon + 1);
  }
  if (host === "" || /[\s/@]/.test(host)) return null;
  if (portText === undefined) return { host, port: DEFAULT_KAFKA_PORT };
  const port = /^[0-9]{1,5}$/.test(portText) ? Number(portText) : 0;
  return port >= 1 && port <= 65535 ? { host, port } : null;
}

/** The Kafka settings, or null when Kafka output is off; throws a ConfigError for a bad value or combination. */
export function kafkaSettings(config: Config): KafkaSettings | null {
  const hasBrokers = config.kafkaBrokers.length > 0;
  const hasTopic = config.kafkaTopic !== "";
  if (!hasBrokers && !hasTopic) return null;
  if (!hasTopic) {
    throw new ConfigError(
      "-kafka_brokers (PDNS_KAFKA_PEERS) is set but -kafka_topic (PDNS_KAFKA_TOPIC) is not: set both to send to Kafka",
      "kafka_topic",
      "",
    );
  }
  if (!hasBrokers) {
    throw new ConfigError(
      "-kafka_topic (PDNS_KAFKA_TOPIC) is set but -kafka_brokers (PDNS_KAFKA_PEERS) is not: set both to send to Kafka",
      "kafka_brokers",
      "",
    );
  }
  const brokers: KafkaBroker[] = [];
  for (const entry of config.kafkaBrokers) {
    const broker = parseBroker(entry);
    if (broker === null) {
      throw new ConfigError(
        `invalid value ${JSON.stringify(entry)} in -kafka_brokers (PDNS_KAFKA_PEERS): expected host, host:port, ` +
          "[IPv6]:port or an IPv6 address, port from 1 to 65535 (default 9092)",
        "kafka_brokers",
        entry,
      );
    }
    brokers.push(broker);
  }
  // Kafka's own rule for topic names (legal characters, at most 249 of them, not "." or "..").
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(config.kafkaTopic) || config.kafkaTopic === "." || config.kafkaTopic === "..") {
    throw new ConfigError(
      `invalid value ${JSON.stringify(config.kafkaTopic)} for -kafka_topic (PDNS_KAFKA_TOPIC): expected a Kafka ` +
        "topic name (letters, digits, '.', '_', '-', at most 249 characters)",
      "kafka_topic",
      config.kafkaTopic,
    );
  }
  if (config.kafkaAvro && config.format !== "gopassivedns") {
    throw new ConfigError(
      `-kafka_avro needs -format gopassivedns: the Avro schema (DnsLogEntry) holds the original's record, not the ` +
        `${config.format} record`,
      "kafka_avro",
      "true",
    );
  }
  if ((config.kafkaTlsCert === "") !== (config.kafkaTlsKey === "")) {
    throw new ConfigError(
      "-kafka_tls_cert and -kafka_tls_key go together: set both for a client certificate, or neither",
      config.kafkaTlsCert === "" ? "kafka_tls_cert" : "kafka_tls_key",
      "",
    );
  }
  const tlsOn = config.kafkaTls || config.kafkaTlsCa !== "" || config.kafkaTlsCert !== "";
  let sasl: KafkaSettings["sasl"] = null;
  if (config.kafkaSaslMechanism !== "") {
    if (config.kafkaSaslUsername === "") {
      throw new ConfigError(
        `-kafka_sasl_mechanism ${config.kafkaSaslMechanism} needs -kafka_sasl_username (PDNS_KAFKA_SASL_USERNAME)`,
        "kafka_sasl_username",
        "",
      );
    }
    sasl = {
      mechanism: config.kafkaSaslMechanism as NonNullable<KafkaSettings["sasl"]>["mechanism"],
      username: config.kafkaSaslUsername,
      password: config.kafkaSaslPassword,
    };
  }
  return {
    brokers,
    topic: config.kafkaTopic,
    avro: config.kafkaAvro,
    compression: config.kafkaCompression as KafkaSettings["compression"],
    tls: tlsOn ? { ca: config.kafkaTlsCa, cert: config.kafkaTlsCert, key: config.kafkaTlsKey } : null,
    sasl,
  };
}
