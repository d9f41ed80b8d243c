import assert from "node:assert/strict";
import type { Config } from "../config/config.ts";
import { ConfigError } from "../config/config_error.ts";
import { kafkaSettings, parseBroker } from "./kafka_settings.ts";

Deno.test("parseBroker() reads host:port, bracketed and bare IPv6, and adds port 9092 when none is given", () => {
  assert.deepEqual(parseBroker("kafka1:9093"), { host: "kafka1", port: 9093 });
  assert.deepEqual(parseBroker("kafka1"), { host: "kafka1", port: 9092 });
  assert.deepEqual(parseBroker("10.0.0.1"), { host: "10.0.0.1", port: 9092 });
  assert.deepEqual(parseBroker("[2001:db8::1]:19092"), { host: "2001:db8::1", port: 19092 });
  assert.deepEqual(parseBroker("[::1]"), { host: "::1", port: 9092 });
  assert.deepEqual(parseBroker("2001:db8::1"), { host: "2001:db8::1", port: 9092 });
});

Deno.test("parseBroker() rejects bad ports, empty hosts, URLs and brackets around a name", () => {
  for (
    const bad of [
      "kafka:0",
      "kafka:65536",
      "kafka:x",
      ":9092",
      "kafka:",
      "[kafka]:9092",
      "[::1]:",
      "a b:1",
      "tcp://k:1",
    ]
  ) {
    assert.equal(parseBroker(bad), null, bad);
  }
});

function config(overrides: Partial<Config>): Config {
  return {
    kafkaBrokers: [],
    kafkaTopic: "",
    kafkaAvro: false,
    kafkaCompression: "none",
    kafkaTls: false,
    kafkaTlsCa: "",
    kafkaTlsCert: "",
    kafkaTlsKey: "",
    kafkaSaslMechanism: "",
    kafkaSaslUsername: "",
    kafkaSaslPassword: "",
    format: "gopassivedns",
    ...overrides,
  } as Config;
}

Deno.test("kafkaSettings() is null without brokers and topic, and a usage error with only one of them", () => {
  assert.equal(kafkaSettings(config({})), null);
  assert.throws(() => kafkaSettings(config({ kafkaBrokers: ["k:9092"] })), (e) => {
    assert.ok(e instanceof ConfigError);
    assert.match(e.message, /-kafka_brokers \(PDNS_KAFKA_PEERS\) is set but -kafka_topic \(PDNS_KAFKA_TOPIC\) is not/);
    return true;
  });
  assert.throws(() => kafkaSettings(config({ kafkaTopic: "dns" })), /-kafka_topic .* is set but -kafka_brokers/);
});

Deno.test("kafkaSettings() names a bad broker entry, a bad topic, and Avro with the transaction format", () => {
  assert.throws(
    () => kafkaSettings(config({ kafkaBrokers: ["k:9092", "k:99999"], kafkaTopic: "dns" })),
    /invalid value "k:99999" in -kafka_brokers/,
  );
  assert.throws(() => kafkaSettings(config({ kafkaBrokers: ["k"], kafkaTopic: "a/b" })), /for -kafka_topic/);
  assert.throws(
    () => kafkaSettings(config({ kafkaBrokers: ["k"], kafkaTopic: "dns", kafkaAvro: true, format: "transaction" })),
    /-kafka_avro needs -format gopassivedns/,
  );
});

Deno.test("kafkaSettings() turns TLS on with any TLS file, and needs a user name for SASL", () => {
  const base = { kafkaBrokers: ["[::1]:9093", "k"], kafkaTopic: "dns" };
  const plain = kafkaSettings(config(base))!;
  assert.deepEqual(plain.brokers, [{ host: "::1", port: 9093 }, { host: "k", port: 9092 }]);
  assert.equal(plain.tls, null);
  assert.equal(plain.sasl, null);
  assert.deepEqual(kafkaSettings(config({ ...base, kafkaTlsCa: "/ca.pem" }))!.tls, {
    ca: "/ca.pem",
    cert: "",
    key: "",
  });
  assert.throws(() => kafkaSettings(config({ ...base, kafkaTlsCert: "/c.pem" })), /go together/);
  assert.throws(() => kafkaSettings(config({ ...base, kafkaSaslMechanism: "PLAIN" })), /needs -kafka_sasl_username/);
  assert.deepEqual(
    kafkaSettings(
      config({ ...base, kafkaSaslMechanism: "SCRAM-SHA-256", kafkaSaslUsername: "u", kafkaSaslPassword: "p" }),
    )!
      .sasl,
    { mechanism: "SCRAM-SHA-256", username: "u", password: "p" },
  );
});
