/**
 * A real Apache Kafka broker for the tests: one JVM in KRaft mode as broker and controller on 127.0.0.1, on free
 * ports, with its own data directory. The jars come from Maven Central (scripts/kafka/pom.xml, fetched by
 * scripts/install_test_deps.sh into {@linkcode kafkaJarsDir}). Start-up takes 3-20 s on the test machines, so
 * `start` waits until the broker answers a metadata request (kcat -L), never a fixed sleep.
 *
 * @module
 */

import { freeTcpPort } from "./_ports.ts";

/** Where install_test_deps.sh puts the broker's jars (keep in step with the script). */
export function kafkaJarsDir(): string {
  const override = Deno.env.get("KAFKA_JARS_DIR");
  if (override) return override;
  const cache = Deno.env.get("XDG_CACHE_HOME") ?? `${Deno.env.get("HOME") ?? "/root"}/.cache`;
  return `${cache}/denopassivedns/kafka-4.4.0`;
}

/** A random Kafka cluster id: 16 bytes in URL-safe base64 without padding, as `kafka-storage random-uuid` prints. */
export function clusterId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  // A leading "-" (base64url 62) would be read by the storage tool as an option, not the value of -t: that failed CI
  // once in 64 runs. Clearing the top bit keeps the first character a letter.
  bytes[0] &= 0x7f;
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

async function run(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" }).output();
  const decoder = new TextDecoder();
  return { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
}

/** The sensor's arguments that send its records to `topic` at `brokers` only (`-quiet`: nothing on stdout). */
export function kafkaOnly(brokers: string, topic: string): string[] {
  return ["-quiet", "-kafka_brokers", brokers, "-kafka_topic", topic];
}

/** Formats a node's storage (`kafka-storage format`) for the cluster `id`, with `extra` arguments. */
export async function formatStorage(properties: string, id: string, extra: string[] = []): Promise<void> {
  const format = await run("java", [
    ...["-cp", `${kafkaJarsDir()}/*`, "kafka.tools.StorageTool", "format"],
    ...["-t", id, "-c", properties, ...extra],
  ]);
  if (format.code !== 0) throw new Error(`kafka storage format failed: ${format.stdout}${format.stderr}`);
}

/** The SASL user the broker knows, for PLAIN and both SCRAM mechanisms. */
export const SASL_USER = { username: "sensor", password: "sensor-secret" };

/**
 * A test CA (`ca.pem`), a server certificate for IP 127.0.0.1 with its key (`server-keystore.pem`), and a client
 * certificate with its key (`client.pem`, `client.key`) for the listener that requires one.
 */
async function makeCertificates(dir: string): Promise<void> {
  const steps = [
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=pdns test CA"]
      .concat(["-keyout", `${dir}/ca.key`, "-out", `${dir}/ca.pem`]),
    ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", `${dir}/server.key`]
      .concat(["-out", `${dir}/server.csr`]),
    ["x509", "-req", "-in", `${dir}/server.csr`, "-CA", `${dir}/ca.pem`, "-CAkey", `${dir}/ca.key`]
      .concat(["-CAcreateserial", "-days", "2", "-out", `${dir}/server.pem`, "-extfile", `${dir}/san.cnf`]),
    ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=pdns sensor", "-keyout", `${dir}/client.key`]
      .concat(["-out", `${dir}/client.csr`]),
    ["x509", "-req", "-in", `${dir}/client.csr`, "-CA", `${dir}/ca.pem`, "-CAkey", `${dir}/ca.key`]
      .concat(["-CAcreateserial", "-days", "2", "-out", `${dir}/client.pem`]),
  ];
  await Deno.writeTextFile(`${dir}/san.cnf`, "subjectAltName=IP:127.0.0.1\n");
  for (const args of steps) {
    const result = await run("openssl", args);
    if (result.code !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr}`);
  }
  // Kafka's PEM key store: the private key (PKCS#8, unencrypted) followed by the certificate.
  const pkcs8 = await run("openssl", ["pkcs8", "-topk8", "-nocrypt", "-in", `${dir}/server.key`]);
  if (pkcs8.code !== 0) throw new Error(`openssl pkcs8 failed: ${pkcs8.stderr}`);
  await Deno.writeTextFile(`${dir}/server-keystore.pem`, pkcs8.stdout + await Deno.readTextFile(`${dir}/server.pem`));
}

export class KafkaBroker {
  readonly port = freeTcpPort();
  readonly controllerPort = freeTcpPort();
  /** SASL_PLAINTEXT listener (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512). */
  readonly saslPort = freeTcpPort();
  /** SSL listener, certificate for 127.0.0.1 signed by the test CA `ca.pem` in {@linkcode dir}. */
  readonly tlsPort = freeTcpPort();
  /** SSL listener that also requires a client certificate signed by the test CA (`client.pem`, `client.key`). */
  readonly mtlsPort = freeTcpPort();
  /** SASL_SSL listener: the SASL mechanisms of {@linkcode saslPort} inside TLS with the server certificate. */
  readonly saslTlsPort = freeTcpPort();
  readonly bootstrap = `127.0.0.1:${this.port}`;
  #process: Deno.ChildProcess | null = null;
  #logFile: Deno.FsFile | null = null;

  private constructor(readonly dir: string, readonly jars: string) {}

  /** Formats the storage and starts the broker; resolves once it answers metadata requests. */
  static async start(): Promise<KafkaBroker> {
    const jars = kafkaJarsDir();
    let count = 0;
    try {
      for (const entry of Deno.readDirSync(jars)) if (entry.name.endsWith(".jar")) count++;
    } catch { /* counted as none */ }
    if (count < 10) {
      throw new Error(`Kafka jars not found in ${jars}: run scripts/install_test_deps.sh (it fetches them with mvn)`);
    }
    const dir = await Deno.makeTempDir({ prefix: "pdns-kafka-" });
    const broker = new KafkaBroker(dir, jars);
    await makeCertificates(dir);
    await Deno.writeTextFile(`${dir}/server.properties`, broker.#properties());
    const scram = (mechanism: string) => `${mechanism}=[name=${SASL_USER.username},password=${SASL_USER.password}]`;
    await formatStorage(`${dir}/server.properties`, clusterId(), [
      ...["--add-scram", scram("SCRAM-SHA-256")],
      ...["--add-scram", scram("SCRAM-SHA-512")],
    ]);
    await broker.restart();
    return broker;
  }

  #properties(): string {
    return [
      "process.roles=broker,controller",
      "node.id=1",
      `controller.quorum.voters=1@127.0.0.1:${this.controllerPort}`,
      `listeners=PLAINTEXT://127.0.0.1:${this.port},CONTROLLER://127.0.0.1:${this.controllerPort},` +
      `SASL_PLAINTEXT://127.0.0.1:${this.saslPort},SSL://127.0.0.1:${this.tlsPort},MTLS://127.0.0.1:${this.mtlsPort},` +
      `SASL_SSL://127.0.0.1:${this.saslTlsPort}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${this.port},SASL_PLAINTEXT://127.0.0.1:${this.saslPort},` +
      `SSL://127.0.0.1:${this.tlsPort},MTLS://127.0.0.1:${this.mtlsPort},SASL_SSL://127.0.0.1:${this.saslTlsPort}`,
      "controller.listener.names=CONTROLLER",
      "inter.broker.listener.name=PLAINTEXT",
      "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL," +
      "MTLS:SSL,SASL_SSL:SASL_SSL",
      "listener.name.mtls.ssl.client.auth=required",
      "listener.name.mtls.ssl.keystore.type=PEM",
      `listener.name.mtls.ssl.keystore.location=${this.dir}/server-keystore.pem`,
      "listener.name.mtls.ssl.truststore.type=PEM",
      `listener.name.mtls.ssl.truststore.location=${this.dir}/ca.pem`,
      "sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512",
      "listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule " +
      `required user_${SASL_USER.username}="${SASL_USER.password}";`,
      "listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=" +
      "org.apache.kafka.common.security.scram.ScramLoginModule required;",
      "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=" +
      "org.apache.kafka.common.security.scram.ScramLoginModule required;",
      "listener.name.sasl_ssl.sasl.enabled.mechanisms=SCRAM-SHA-512",
      "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=" +
      "org.apache.kafka.common.security.scram.ScramLoginModule required;",
      "ssl.keystore.type=PEM",
      `ssl.keystore.location=${this.dir}/server-keystore.pem`,
      `log.dirs=${this.dir}/data`,
      "num.partitions=1",
      "auto.create.topics.enable=false",
      "offsets.topic.replication.factor=1",
      "transaction.state.log.replication.factor=1",
      "transaction.state.log.min.isr=1",
      "group.initial.rebalance.delay.ms=0",
      "",
    ].join("\n");
  }

  /** Starts the broker process (again, after `kill`) on the same ports and data; waits for metadata answers. */
  async restart(): Promise<void> {
    this.#logFile = await Deno.open(`${this.dir}/broker.log`, { append: true, create: true, write: true });
    this.#process = new Deno.Command("java", {
      args: [
        "-Xms256m",
        "-Xmx512m",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        // lz4-java unpacks its native library into the temporary directory: the broker's, removed with it.
        `-Djava.io.tmpdir=${this.dir}`,
        "-cp",
        `${this.jars}/*`,
        "kafka.Kafka",
        `${this.dir}/server.properties`,
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    // The broker's log goes to a file, read when it fails to start.
    this.#process.stdout.pipeTo(this.#logFile.writable, { preventClose: true }).catch(() => {});
    this.#process.stderr.pipeTo(this.#logFile.writable, { preventClose: true }).catch(() => {});
    const exited = this.#process.status.then((status) => status);
    for (let attempt = 0; attempt < 240; attempt++) {
      const metadata = await run("kcat", ["-L", "-b", this.bootstrap, "-m", "2"]);
      if (metadata.code === 0 && / 1 brokers:/.test(metadata.stdout)) return;
      const done = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve(null), 250))]);
      if (done !== null) {
        const log = await Deno.readTextFile(`${this.dir}/broker.log`).catch(() => "");
        throw new Error(`Kafka broker exited during start-up:\n${log.slice(-3000)}`);
      }
    }
    throw new Error(`Kafka broker did not answer metadata requests within 60 s (log in ${this.dir}/broker.log)`);
  }

  /** SIGKILL: a crash, no clean shutdown. */
  async kill(): Promise<void> {
    if (this.#process === null) return;
    try {
      this.#process.kill("SIGKILL");
    } catch { /* already gone */ }
    await this.#process.status;
    this.#process = null;
    this.#logFile?.close();
    this.#logFile = null;
  }

  /** Creates a topic with this many partitions and topic configs, e.g. `max.message.bytes` (through the client library's admin API). */
  async createTopic(topic: string, partitions: number, configs: Record<string, string> = {}): Promise<void> {
    const { Admin } = await import("@platformatic/kafka");
    const admin = new Admin({ clientId: "pdns-test-admin", bootstrapBrokers: [this.bootstrap] });
    try {
      await admin.createTopics({
        topics: [topic],
        partitions,
        replicas: 1,
        configs: Object.entries(configs).map(([name, value]) => ({ name, value })),
      });
    } finally {
      await admin.close();
    }
  }

  /** Every message of the topic as partition, key and value (text), read with kcat from the beginning. */
  async consume(topic: string): Promise<{ partition: number; key: string; value: string }[]> {
    const result = await run("kcat", [
      "-C",
      "-b",
      this.bootstrap,
      "-t",
      topic,
      "-o",
      "beginning",
      "-e",
      "-q",
      "-f",
      "%p\t%k\t%s\n",
    ]);
    if (result.code !== 0) throw new Error(`kcat failed: ${result.stderr}`);
    return result.stdout.split("\n").filter((line) => line !== "").map((line) => {
      const [partition, key, value] = line.split("\t");
      return { partition: Number(partition), key, value };
    });
  }

  async stop(): Promise<void> {
    await this.kill();
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }
}
