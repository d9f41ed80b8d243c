/**
 * The Kafka sink against a real Apache Kafka 4.4 broker (KRaft, one JVM, started here), read back with a real
 * consumer (Debian kcat): the records of a replay arrive once each, keyed by client address, in the partition the
 * Java client's murmur2 partitioner chooses; a broker killed with SIGKILL mid-replay and restarted loses and
 * duplicates nothing; Avro messages are the encoder's bytes. The broker's jars come from
 * scripts/install_test_deps.sh; without them (or kcat, or java) the suite fails, it never skips.
 */
import assert from "node:assert/strict";
import { type CliRun, ROOT, runSensor, stdinSensor, text } from "./_cli.ts";
import { KafkaBroker, kafkaOnly, SASL_USER } from "./_kafka_broker.ts";
import { KafkaCluster } from "./_kafka_cluster.ts";
import { freeTcpPort } from "./_ports.ts";
import { javaPartition } from "./_murmur2.ts";
import { encodeAvroRecord } from "../src/sinks/kafka_avro.ts";

const PARTITIONS = 6;

/** A generated capture with thousands of clients (IPv4 and IPv6), so every partition gets keys. */
async function generatedCapture(dir: string, pairs: number): Promise<string> {
  const path = `${dir}/gen-${pairs}.pcap`;
  const { code, stderr } = await new Deno.Command("/usr/bin/python3", {
    args: [`${ROOT}scripts/gen_dns_pcap.py`, "--pairs", String(pairs), "--seed", "7", "--out", path],
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, text(stderr));
  return path;
}

function lines(stdout: Uint8Array): string[] {
  return text(stdout).split("\n").filter((line) => line !== "");
}

function sinkCounter(stderr: string, sink: string, stat: string): number {
  const match = new RegExp(`\\s${sink}\\.${stat}=(\\d+)`).exec(stderr);
  return match === null ? 0 : Number(match[1]);
}

/** The capture the smaller steps send: 100 messages, 50 records. */
const SMALL_CAPTURE = `${ROOT}testdata/gopassivedns/100_udp_lookups.pcap`;

/** A run the broker accepted: exit 0, every record written, and `topic` holds exactly `want`. */
async function assertDelivered(broker: KafkaBroker, topic: string, run: CliRun, want: string[]): Promise<void> {
  assert.equal(run.code, 0, run.stderr);
  assert.equal(sinkCounter(run.stderr, "kafka", "written"), want.length, run.stderr);
  assertSameRecords((await broker.consume(topic)).map((m) => m.value), want, `topic ${topic}`);
}

/** A run the broker refused: nothing written, its `records` all failed, and `topic` still holds `held` records. */
async function assertRefused(broker: KafkaBroker, topic: string, run: CliRun, records: number, held: number) {
  assert.equal(sinkCounter(run.stderr, "kafka", "written"), 0, run.stderr);
  assert.equal(sinkCounter(run.stderr, "kafka", "failed"), records, run.stderr);
  assert.equal((await broker.consume(topic)).length, held);
}

/** Same multiset of strings (sorted copies compared, so a duplicate or a loss shows). */
function assertSameRecords(actual: string[], expected: string[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: ${actual.length} records, expected ${expected.length}`);
  assert.deepEqual([...actual].sort(), [...expected].sort(), what);
}

Deno.test({
  name: "the Kafka sink against a real broker",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const dir = await Deno.makeTempDir({ prefix: "pdns-kafka-test-" });
    const broker = await KafkaBroker.start();
    try {
      const capture = await generatedCapture(dir, 20_000);
      const reference = await runSensor(["-pcap", capture]);
      assert.equal(reference.code, 0, reference.stderr);
      const expected = lines(reference.stdout);
      assert.ok(expected.length > 30_000, `${expected.length} records`);

      await t.step("kcat's librdkafka murmur2 partitioner agrees with the test's Java murmur2", async () => {
        await broker.createTopic("murmur", PARTITIONS);
        const keys = ["172.17.64.6", "10.1.2.3", "2001:db8::1", "192.168.0.254", "a", "abcd", "abcde"];
        const input = new TextEncoder().encode(keys.map((k) => `${k}\t${k}\n`).join(""));
        const producer = new Deno.Command("kcat", {
          args: ["-P", "-b", broker.bootstrap, "-t", "murmur", "-K", "\t", "-X", "partitioner=murmur2_random"],
          stdin: "piped",
          stderr: "piped",
        }).spawn();
        const writer = producer.stdin.getWriter();
        await writer.write(input);
        await writer.close();
        const { code, stderr } = await producer.output();
        assert.equal(code, 0, text(stderr));
        const consumed = await broker.consume("murmur");
        assert.equal(consumed.length, keys.length);
        for (const { key, partition } of consumed) assert.equal(partition, javaPartition(key, PARTITIONS), key);
      });

      await t.step("every record of a replay arrives once, keyed by client, in its murmur2 partition", async () => {
        await broker.createTopic("dns", PARTITIONS);
        const run = await runSensor([
          "-pcap",
          capture,
          ...kafkaOnly(broker.bootstrap, "dns"),
        ]);
        assert.equal(run.code, 0, run.stderr);
        assert.equal(run.stdout.length, 0, "-quiet with Kafka: nothing on stdout");
        assert.equal(sinkCounter(run.stderr, "kafka", "written"), expected.length, run.stderr);
        const consumed = await broker.consume("dns");
        assertSameRecords(consumed.map((m) => m.value), expected, "topic dns");
        const used = new Set<number>();
        for (const { key, value, partition } of consumed) {
          assert.equal(key, JSON.parse(value).src);
          assert.equal(partition, javaPartition(key, PARTITIONS), `key ${key}`);
          used.add(partition);
        }
        assert.equal(used.size, PARTITIONS);
      });

      await t.step("transaction records are keyed by client_ip", async () => {
        await broker.createTopic("tx", PARTITIONS);
        const pcap = SMALL_CAPTURE;
        const args = ["-pcap", pcap, "-format", "transaction"];
        const want = lines((await runSensor(args)).stdout);
        const run = await runSensor([...args, ...kafkaOnly(broker.bootstrap, "tx")]);
        assert.equal(run.code, 0, run.stderr);
        const consumed = await broker.consume("tx");
        assertSameRecords(consumed.map((m) => m.value), want, "topic tx");
        for (const { key, value } of consumed) assert.equal(key, JSON.parse(value).client_ip);
      });

      await t.step(
        "each -kafka_compression codec is the one in the stored batches, and the records read back",
        async () => {
          const pcap = SMALL_CAPTURE;
          const want = lines((await runSensor(["-pcap", pcap])).stdout);
          // Kafka's record batch v2 attributes: the low 3 bits name the codec.
          const codecs = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };
          for (const [codec, id] of Object.entries(codecs)) {
            const topic = `codec-${codec}`;
            await broker.createTopic(topic, 1);
            const run = await runSensor([
              "-pcap",
              pcap,
              ...kafkaOnly(broker.bootstrap, topic),
              "-kafka_compression",
              codec,
            ]);
            assert.equal(run.code, 0, run.stderr);
            assertSameRecords((await broker.consume(topic)).map((m) => m.value), want, topic);
            // The broker keeps a batch as the producer compressed it (the topic's compression.type is "producer"):
            // the first batch of the partition's first segment, read from its file.
            const log = await Deno.readFile(`${broker.dir}/data/${topic}-0/00000000000000000000.log`);
            assert.equal(log[16], 2, `${topic}: a record batch of format v2 (its magic byte)`);
            assert.equal(((log[21] << 8) | log[22]) & 7, id, `${topic}: the codec in the first batch's attributes`);
          }
        },
      );

      await t.step(
        "a record larger than the topic's max.message.bytes fails at once; the others arrive once",
        async () => {
          // udp_types.pcap: one record of 571 bytes, the others at most 420. The topic takes record batches of at most
          // 600 bytes, so every partition's batch of several records is rejected too (MESSAGE_TOO_LARGE), and each of
          // their records must go through on its own; a batch of one small record is written the first time.
          await broker.createTopic("small", 3, { "max.message.bytes": "600" });
          const pcap = `${ROOT}testdata/real/udp_types.pcap`;
          const want = lines((await runSensor(["-pcap", pcap])).stdout);
          const tooLarge = want.filter((line) => line.length > 500);
          assert.equal(tooLarge.length, 1);
          const run = await runSensor([
            "-pcap",
            pcap,
            ...kafkaOnly(broker.bootstrap, "small"),
            // Sizes above are uncompressed: compressed (lz4 by default) the batches would fit the topic's limit.
            "-kafka_compression",
            "none",
          ]);
          assert.equal(run.code, 0, run.stderr);
          assert.equal(sinkCounter(run.stderr, "kafka", "failed"), 1, run.stderr);
          assert.equal(sinkCounter(run.stderr, "kafka", "retried"), 0, `not retried: ${run.stderr}`);
          assert.equal(sinkCounter(run.stderr, "kafka", "written"), want.length - 1, run.stderr);
          assert.match(run.stderr, /MESSAGE_TOO_LARGE/);
          const consumed = await broker.consume("small");
          assertSameRecords(consumed.map((m) => m.value), want.filter((line) => line !== tooLarge[0]), "topic small");
        },
      );

      await t.step(
        "SASL PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 authenticate; a wrong password delivers nothing",
        async () => {
          await broker.createTopic("sasl", 2);
          const pcap = SMALL_CAPTURE;
          const want = lines((await runSensor(["-pcap", pcap])).stdout);
          const args = [
            "-pcap",
            pcap,
            ...kafkaOnly(`127.0.0.1:${broker.saslPort}`, "sasl"),
          ];
          for (const mechanism of ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]) {
            const run = await runSensor([
              ...args,
              "-kafka_sasl_mechanism",
              mechanism,
              "-kafka_sasl_username",
              SASL_USER.username,
              "-kafka_sasl_password",
              SASL_USER.password,
            ]);
            assert.equal(run.code, 0, run.stderr);
            assert.equal(sinkCounter(run.stderr, "kafka", "written"), want.length, `${mechanism}: ${run.stderr}`);
          }
          const consumed = await broker.consume("sasl");
          assertSameRecords(consumed.map((m) => m.value), [...want, ...want, ...want], "topic sasl");
          const wrong = await runSensor([
            ...args,
            "-kafka_sasl_mechanism",
            "SCRAM-SHA-256",
            "-kafka_sasl_username",
            SASL_USER.username,
            "-kafka_sasl_password",
            "wrong",
            "-sink_timeout",
            "3s",
          ]);
          assert.equal(wrong.code, 0, wrong.stderr);
          assert.match(wrong.stderr, /Sink kafka: delivery failed/);
          await assertRefused(broker, "sasl", wrong, want.length, 3 * want.length);
        },
      );

      await t.step("TLS with -kafka_tls_ca verifies the broker; without the CA the broker is refused", async () => {
        await broker.createTopic("tls", 2);
        const want = lines((await runSensor(["-pcap", SMALL_CAPTURE])).stdout);
        const args = ["-pcap", SMALL_CAPTURE, ...kafkaOnly(`127.0.0.1:${broker.tlsPort}`, "tls")];
        const run = await runSensor([...args, "-kafka_tls_ca", `${broker.dir}/ca.pem`]);
        await assertDelivered(broker, "tls", run, want);
        const untrusted = await runSensor([...args, "-kafka_tls", "-sink_timeout", "3s"]);
        await assertRefused(broker, "tls", untrusted, want.length, want.length);
      });

      await t.step(
        "mutual TLS: -kafka_tls_cert and -kafka_tls_key give the client certificate a broker requires; without it the broker refuses",
        async () => {
          await broker.createTopic("mtls", 2);
          const want = lines((await runSensor(["-pcap", SMALL_CAPTURE])).stdout);
          const args = ["-pcap", SMALL_CAPTURE, ...kafkaOnly(`127.0.0.1:${broker.mtlsPort}`, "mtls")];
          const ca = ["-kafka_tls_ca", `${broker.dir}/ca.pem`];
          const certificate = [
            "-kafka_tls_cert",
            `${broker.dir}/client.pem`,
            "-kafka_tls_key",
            `${broker.dir}/client.key`,
          ];
          await assertDelivered(broker, "mtls", await runSensor([...args, ...ca, ...certificate]), want);
          const anonymous = await runSensor([...args, ...ca, "-sink_timeout", "3s"]);
          await assertRefused(broker, "mtls", anonymous, want.length, want.length);
        },
      );

      await t.step(
        "SASL over TLS: SCRAM-SHA-512 authenticates inside TLS; a wrong password delivers nothing",
        async () => {
          await broker.createTopic("sasl_tls", 2);
          const want = lines((await runSensor(["-pcap", SMALL_CAPTURE])).stdout);
          const args = [
            ...["-pcap", SMALL_CAPTURE, ...kafkaOnly(`127.0.0.1:${broker.saslTlsPort}`, "sasl_tls")],
            ...["-kafka_tls_ca", `${broker.dir}/ca.pem`, "-kafka_sasl_mechanism", "SCRAM-SHA-512"],
            ...["-kafka_sasl_username", SASL_USER.username],
          ];
          const run = await runSensor([...args, "-kafka_sasl_password", SASL_USER.password]);
          await assertDelivered(broker, "sasl_tls", run, want);
          const wrong = await runSensor([...args, "-kafka_sasl_password", "wrong", "-sink_timeout", "3s"]);
          await assertRefused(broker, "sasl_tls", wrong, want.length, want.length);
        },
      );

      await t.step("a topic missing on the brokers is said at once; its records are counted as failed", async () => {
        const pcap = SMALL_CAPTURE;
        const run = await runSensor([
          "-pcap",
          pcap,
          ...kafkaOnly(broker.bootstrap, "nosuch"),
          "-sink_timeout",
          "2s",
        ]);
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stderr, /Sink kafka: topic nosuch does not exist on the brokers \(-kafka_topic\)/);
        assert.equal(sinkCounter(run.stderr, "kafka", "failed"), 50, run.stderr);
      });

      await t.step("-kafka_avro sends the Avro single-object encoding of each record", async () => {
        await broker.createTopic("avro", 1);
        const pcap = `${ROOT}testdata/gopassivedns/100_tcp_lookups.pcap`;
        const want = lines((await runSensor(["-pcap", pcap])).stdout);
        const run = await runSensor([
          "-pcap",
          pcap,
          ...kafkaOnly(broker.bootstrap, "avro"),
          "-kafka_avro",
        ]);
        assert.equal(run.code, 0, run.stderr);
        // Avro is binary: read it as hex through kcat's raw output of one message per line is not safe, so compare
        // the consumer's value sizes and the first bytes (C3 01 + fingerprint), record by record in order.
        const { stdout } = await new Deno.Command("kcat", {
          args: ["-C", "-b", broker.bootstrap, "-t", "avro", "-o", "beginning", "-e", "-q", "-f", "%S %s\n"],
          stdout: "piped",
        }).output();
        const bytes = stdout;
        let at = 0;
        for (const line of want) {
          const message = encodeAvroRecord(line);
          const space = bytes.indexOf(0x20, at);
          assert.equal(Number(text(bytes.subarray(at, space))), message.length);
          assert.deepEqual([...bytes.subarray(space + 1, space + 1 + message.length)], [...message]);
          at = space + 1 + message.length + 1;
        }
        assert.equal(at, bytes.length);
      });

      await t.step(
        "a broker killed with SIGKILL mid-replay and restarted: every record arrives exactly once",
        async () => {
          await broker.createTopic("outage", PARTITIONS);
          const pcap = await Deno.readFile(capture);
          const { sensor, writer } = stdinSensor([
            ...kafkaOnly(broker.bootstrap, "outage"),
            "-sink_timeout",
            "60s",
          ]);
          const third = Math.floor(pcap.length / 3);
          await writer.write(pcap.subarray(0, third));
          let before = 0;
          await waitFor(async () => (before = (await broker.consume("outage")).length) > 0, "first records in");
          await broker.kill();
          await writer.write(pcap.subarray(third, 2 * third)); // produced while the broker is down
          await new Promise((resolve) => setTimeout(resolve, 2_000));
          await broker.restart();
          await writer.write(pcap.subarray(2 * third));
          const log = await endedWithNothingLost(sensor, writer);
          assert.match(log, /Sink kafka: (lost the connection to|cannot connect to) 127\.0\.0\.1:\d+/);
          assert.match(log, /Sink kafka: connected to 127\.0\.0\.1:\d+ again/);
          assert.ok(before < expected.length / 2, `${before} of ${expected.length} records were in before the kill`);
          const consumed = await broker.consume("outage");
          assertSameRecords(consumed.map((m) => m.value), expected, "topic outage");
        },
      );
    } finally {
      await broker.stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name: "the Kafka sink against a cluster of three brokers",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const dir = await Deno.makeTempDir({ prefix: "pdns-kafka-cluster-test-" });
    const cluster = await KafkaCluster.start(3);
    try {
      const capture = await generatedCapture(dir, 20_000);
      const expected = lines((await runSensor(["-pcap", capture])).stdout);

      await t.step("every record arrives once, each partition through its own leader", async () => {
        await cluster.createTopic("spread", PARTITIONS, 3);
        const leaders = await cluster.leaders("spread");
        assert.equal(leaders.size, PARTITIONS);
        assert.ok(new Set(leaders.values()).size >= 2, `leaders ${[...leaders.values()]}: spread over the brokers`);
        const run = await runSensor(["-pcap", capture, ...kafkaOnly(cluster.bootstrap, "spread")]);
        assert.equal(run.code, 0, run.stderr);
        assert.equal(sinkCounter(run.stderr, "kafka", "written"), expected.length, run.stderr);
        const consumed = await cluster.consume("spread");
        assertSameRecords(consumed.map((m) => m.value), expected, "topic spread");
        for (const { key, partition } of consumed) assert.equal(partition, javaPartition(key, PARTITIONS), key);
      });

      await t.step(
        "the leader of two partitions killed mid-replay: each moves to another broker, every record arrives once",
        async () => {
          // Node 1 leads partitions 0 and 1; killed, partition 0 moves to node 2 and partition 1 to node 3 (the next
          // replica in each list). One request for both went, when retried, to partition 0's new leader alone.
          const layout = [[1, 2, 3], [1, 3, 2], [2, 3, 1], [3, 1, 2], [2, 1, 3], [3, 2, 1]];
          await cluster.createTopic("failover", PARTITIONS, 3, layout);
          const victim = 1;
          assert.deepEqual([...(await cluster.leaders("failover"))].sort(), layout.map((nodes, p) => [p, nodes[0]]));
          const pcap = await Deno.readFile(capture);
          const { sensor, writer } = stdinSensor([...kafkaOnly(cluster.bootstrap, "failover"), "-sink_timeout", "60s"]);
          const half = Math.floor(pcap.length / 2);
          await writer.write(pcap.subarray(0, half));
          let before = 0;
          await waitFor(async () => (before = (await cluster.consume("failover")).length) > 0, "first records in");
          await cluster.kill(victim);
          await writer.write(pcap.subarray(half)); // produced after the crash: partition 0 has a new leader
          const log = await endedWithNothingLost(sensor, writer);
          assert.equal(sinkCounter(log, "kafka", "written"), expected.length, log);
          assert.ok(before < expected.length, `${before} of ${expected.length} records were in before the kill`);
          const leaders = await cluster.leaders("failover");
          assert.equal(leaders.get(0), 2);
          assert.equal(leaders.get(1), 3);
          assert.ok(![...leaders.values()].includes(victim), `no partition is led by the killed node ${victim}`);
          const consumed = await cluster.consume("failover");
          assertSameRecords(consumed.map((m) => m.value), expected, "topic failover");
        },
      );
    } finally {
      await cluster.stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});

/**
 * Close the stdin of a sensor fed with `stdinSensor` and wait for it: it must exit 0, with nothing on stdout and no
 * Kafka record failed or dropped. Returns its stderr.
 */
async function endedWithNothingLost(
  sensor: Deno.ChildProcess,
  writer: WritableStreamDefaultWriter<Uint8Array>,
): Promise<string> {
  await writer.close();
  const { code, stdout, stderr } = await sensor.output();
  const log = text(stderr);
  assert.equal(code, 0, log);
  assert.equal(stdout.length, 0);
  assert.equal(sinkCounter(log, "kafka", "failed"), 0, log);
  assert.equal(sinkCounter(log, "kafka", "dropped"), 0, log);
  return log;
}

async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for: ${what}`);
}

Deno.test("-kafka_brokers without -kafka_topic, and the reverse, are usage errors (exit 2)", async () => {
  const pcap = `${ROOT}testdata/gopassivedns/a.pcap`;
  const brokersOnly = await runSensor(["-pcap", pcap, "-kafka_brokers", "127.0.0.1:9"]);
  assert.equal(brokersOnly.code, 2);
  assert.match(brokersOnly.stderr, /-kafka_brokers \(PDNS_KAFKA_PEERS\) is set but -kafka_topic/);
  assert.equal(brokersOnly.stdout.length, 0);
  const topicOnly = await runSensor(["-pcap", pcap, "-kafka_topic", "dns"]);
  assert.equal(topicOnly.code, 2);
  assert.match(topicOnly.stderr, /-kafka_topic \(PDNS_KAFKA_TOPIC\) is set but -kafka_brokers/);
  const badBroker = await runSensor(["-pcap", pcap, "-kafka_topic", "dns", "-kafka_brokers", "[::1]:70000"]);
  assert.equal(badBroker.code, 2);
  assert.match(badBroker.stderr, /invalid value "\[::1\]:70000" in -kafka_brokers/);
});

Deno.test({
  name: "with no broker to take them, records beyond -sink_queue_mb are dropped and the rest fail, all counted",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "pdns-kafka-test-" });
    try {
      // ~14 MB of records, handed over in batches of up to 4 MiB, against a 5 MiB queue: one batch fits.
      const capture = await generatedCapture(dir, 30_000);
      const run = await runSensor([
        "-pcap",
        capture,
        ...kafkaOnly(`127.0.0.1:${freeTcpPort()}`, "dns"),
        "-sink_queue_mb",
        "5",
        "-sink_timeout",
        "1s",
      ]);
      assert.equal(run.code, 0, run.stderr);
      const records = Number(/\srecords=(\d+)/.exec(run.stderr)?.[1]);
      const dropped = sinkCounter(run.stderr, "kafka", "dropped");
      const failed = sinkCounter(run.stderr, "kafka", "failed");
      assert.ok(records > 50_000, run.stderr);
      assert.ok(dropped > 0 && failed > 0, run.stderr);
      assert.equal(dropped + failed, records, run.stderr);
      assert.equal(sinkCounter(run.stderr, "kafka", "written"), 0);
      assert.match(run.stderr, /Sink kafka: cannot connect to 127\.0\.0\.1:\d+/);
    } finally {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
