/**
 * The few path operations the file sink needs, POSIX only, without `node:path` (whose import costs start-up time).
 *
 * @module
 */

/** The directory part (`.` for a bare file name), as Go's `filepath.Dir`. */
export function dirname(path: string): string {
  const slash = path.lastIndexOf("/");
  if (slash === -1) return ".";
  return slash === 0 ? "/" : path.slice(0, slash);
}

/** The base name split before its last dot, as lumberjack does (`dns.log` → `["dns", ".log"]`). */
export function fileStem(path: string): [string, string] {
  const base = path.slice(path.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  return dot === -1 ? [base, ""] : [base.slice(0, dot), base.slice(dot)];
}

export function joinPath(dir: string, name: string): string {
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}
