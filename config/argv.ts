/**
 * Command-line flags for the small tsx entry points (scripts/, bench/, simulator/main.ts):
 * `--name value` / `--name=value` and `--flag` from process.argv.
 */
export function arg(name: string, argv: string[] = process.argv): string | undefined {
  const i = argv.indexOf(`--${name}`);
  if (i >= 0 && i + 1 < argv.length) return argv[i + 1];
  const eq = argv.find((a) => a.startsWith(`--${name}=`));
  return eq ? eq.slice(name.length + 3) : undefined;
}

export const flag = (name: string, argv: string[] = process.argv): boolean => argv.includes(`--${name}`);
