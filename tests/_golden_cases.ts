/** The golden cases: every bundled capture, replayed in both formats; shared by the golden test and its updater. */
import { replay, TESTDATA } from "./_replay.ts";

export const GOLDEN = TESTDATA + "golden/";
export const FORMATS = ["gopassivedns", "transaction"] as const;

/** Every capture under testdata/{gopassivedns,crafted,real,tunnels,links}, as "dir/name". */
export function goldenCaptures(): string[] {
  const cases: string[] = [];
  for (const dir of ["gopassivedns", "crafted", "real", "tunnels", "links"]) {
    for (const entry of Deno.readDirSync(TESTDATA + dir)) {
      if (/\.pcap(ng)?$/.test(entry.name)) cases.push(`${dir}/${entry.name}`);
    }
  }
  return cases.sort();
}

export function goldenPath(capture: string, format: typeof FORMATS[number]): string {
  const base = capture.replace(/\.pcap(ng)?$/, "");
  return `${GOLDEN}${base}${format === "transaction" ? ".transaction" : ""}.jsonl`;
}

/** The output a golden file holds: every line plus a final newline (empty for no records). */
export async function goldenOutput(capture: string, format: typeof FORMATS[number]): Promise<string> {
  const { lines } = await replay(TESTDATA + capture, { format, sensor: "golden" });
  return lines.map((line) => line + "\n").join("");
}
