/**
 * A real Apache Kafka cluster of several nodes for the tests: each a JVM in KRaft mode as broker and controller on
 * 127.0.0.1, on free ports, with its own data directory; the nodes form one controller quorum. The jars are those of
 * tests/_kafka_broker.ts (fetched by scripts/install_test_deps.sh). `start` waits until every node answers a
 * metadata request, never a fixed sleep.
 *
 * @module
 */

import { clusterId, formatStorage, kafkaJarsDir } from "./_kafka_broker.ts";
import { freeTcpPort } from "./_ports.ts";

async function run(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" }).output();
  const decoder = new TextDecoder();
  return { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
}

interface KafkaNode {
  readonly id: number;
  readonly port: number;
  readonly controllerPort: number;
  readonly dir: string;
  process: Deno.ChildProcess | null;
}

export class KafkaCluster {
  /** Every node's PLAINTEXT address, comma-separated (as `-kafka_brokers` and kcat take them). */
  readonly bootstrap: string;

  private constructor(readonly dir: string, readonly nodes: KafkaNode[]) {
    this.bootstrap = nodes.map((node) => `127.0.0.1:${node.port}`).join(",");
  }

  /** Formats every node's storage with one cluster id, starts them, and resolves once all answer metadata. */
  static async start(count: number): Promise<KafkaCluster> {
    const dir = await Deno.makeTempDir({ prefix: "pdns-kafka-cluster-" });
    const nodes = Array.from({ length: count }, (_, i) => ({
      id: i + 1,
      port: freeTcpPort(),
      controllerPort: freeTcpPort(),
      dir: `${dir}/node${i + 1}`,
      process: null,
    }));
    const cluster = new KafkaCluster(dir, nodes);
    const id = clusterId();
    for (const node of nodes) {
      await Deno.mkdir(node.dir);
      await Deno.writeTextFile(`${node.dir}/server.properties`, cluster.#properties(node));
      await formatStorage(`${node.dir}/server.properties`, id);
    }
    for (const node of nodes) cluster.#spawn(node);
    await cluster.#waitForBrokers(count);
    return cluster;
  }

  #properties(node: KafkaNode): string {
    const voters = this.nodes.map((n) => `${n.id}@127.0.0.1:${n.controllerPort}`).join(",");
    const replicas = Math.min(3, this.nodes.length);
    return [
      "process.roles=broker,controller",
      `node.id=${node.id}`,
      `controller.quorum.voters=${voters}`,
      `listeners=PLAINTEXT://127.0.0.1:${node.port},CONTROLLER://127.0.0.1:${node.controllerPort}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${node.port}`,
      "controller.listener.names=CONTROLLER",
      "inter.broker.listener.name=PLAINTEXT",
      "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
      `log.dirs=${node.dir}/data`,
      "num.partitions=1",
      "auto.create.topics.enable=false",
      `offsets.topic.replication.factor=${replicas}`,
      `transaction.state.log.replication.factor=${replicas}`,
      "transaction.state.log.min.isr=1",
      "group.initial.rebalance.delay.ms=0",
      "",
    ].join("\n");
  }

  #spawn(node: KafkaNode): void {
    node.process = new Deno.Command("java", {
      args: [
        "-Xms128m",
        "-Xmx384m",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        // lz4-java unpacks its native library into the temporary directory: the node's, removed with it.
        `-Djava.io.tmpdir=${node.dir}`,
        "-cp",
        `${kafkaJarsDir()}/*`,
        "kafka.Kafka",
        `${node.dir}/server.properties`,
      ],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
  }

  async #waitForBrokers(count: number): Promise<void> {
    for (let attempt = 0; attempt < 360; attempt++) {
      const metadata = await run("kcat", ["-L", "-b", this.bootstrap, "-m", "2"]);
      if (metadata.code === 0 && new RegExp(` ${count} brokers:`).test(metadata.stdout)) return;
      for (const node of this.nodes) {
        const exited = await Promise.race([node.process!.status, new Promise((r) => setTimeout(() => r(null), 0))]);
        if (exited !== null) throw new Error(`Kafka node ${node.id} exited during start-up (data in ${node.dir})`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`the Kafka cluster did not show ${count} brokers within 90 s (data in ${this.dir})`);
  }

  /** SIGKILL node `id`: a crash, no clean shutdown. */
  async kill(id: number): Promise<void> {
    const node = this.nodes[id - 1];
    if (node.process === null) return;
    try {
      node.process.kill("SIGKILL");
    } catch { /* already gone */ }
    await node.process.status;
    node.process = null;
  }

  /**
   * A topic with this many partitions, each replicated on `replicas` nodes; or, given `assignments` (each partition's
   * nodes, the preferred leader first, then the order in which the others take over), laid out as they say.
   */
  async createTopic(topic: string, partitions: number, replicas: number, assignments?: number[][]): Promise<void> {
    const { Admin } = await import("@platformatic/kafka");
    const admin = new Admin({ clientId: "pdns-test-admin", bootstrapBrokers: this.bootstrap.split(",") });
    try {
      if (assignments === undefined) await admin.createTopics({ topics: [topic], partitions, replicas });
      else {
        const layout = assignments.map((brokers, partition) => ({ partition, brokers }));
        await admin.createTopics({ topics: [topic], assignments: layout });
      }
    } finally {
      await admin.close();
    }
    await this.#waitForLeaders(topic, assignments?.length ?? partitions);
  }

  /**
   * Until the metadata kcat gets lists a leader for each of the topic's partitions: the controller accepts a new topic
   * before every broker knows it, and a listing right after the creation was once empty (a step failed on it).
   */
  async #waitForLeaders(topic: string, partitions: number): Promise<void> {
    for (let attempt = 0; attempt < 120; attempt++) {
      const leaders = await this.leaders(topic).catch(() => new Map<number, number>());
      if (leaders.size === partitions && [...leaders.values()].every((node) => node >= 0)) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`topic ${topic} has no leader for each of its ${partitions} partitions after 30 s`);
  }

  /** The leader node of each partition of `topic`, by partition (kcat's metadata listing). */
  async leaders(topic: string): Promise<Map<number, number>> {
    const metadata = await run("kcat", ["-L", "-b", this.bootstrap, "-t", topic, "-m", "5"]);
    if (metadata.code !== 0) throw new Error(`kcat -L failed: ${metadata.stderr}`);
    const leaders = new Map<number, number>();
    for (const match of metadata.stdout.matchAll(/partition (\d+), leader (-?\d+),/g)) {
      leaders.set(Number(match[1]), Number(match[2]));
    }
    return leaders;
  }

  /** Every message of the topic as partition, key and value (text), read with kcat from the beginning. */
  async consume(topic: string): Promise<{ partition: number; key: string; value: string }[]> {
    const result = await run("kcat", [
      ...["-C", "-b", this.bootstrap, "-t", topic, "-o", "beginning", "-e", "-q"],
      ...["-f", "%p\t%k\t%s\n"],
    ]);
    if (result.code !== 0) throw new Error(`kcat failed: ${result.stderr}`);
    return result.stdout.split("\n").filter((line) => line !== "").map((line) => {
      const [partition, key, value] = line.split("\t");
      return { partition: Number(partition), key, value };
    });
  }

  async stop(): Promise<void> {
    for (const node of this.nodes) await this.kill(node.id);
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }
}
