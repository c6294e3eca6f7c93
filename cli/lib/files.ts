import { readFileSync, writeFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CliError, oneLine } from '../context';

export function readText(file: string): string {
  try {
    return readFileSync(resolve(file), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(code === 'ENOENT' ? `file not found: ${file}` : `cannot read ${file}: ${oneLine(e)}`);
  }
}

/** A JSON or YAML document (by extension; anything else is tried as JSON, then YAML). */
export function readStructured(file: string): unknown {
  const text = readText(file);
  const ext = extname(file).toLowerCase();
  const asJson = () => {
    try {
      return JSON.parse(text) as unknown;
    } catch (e) {
      throw new CliError(`${file} is not valid JSON: ${oneLine(e)}`);
    }
  };
  const asYaml = () => {
    try {
      return parseYaml(text) as unknown;
    } catch (e) {
      throw new CliError(`${file} is not valid YAML: ${oneLine(e)}`);
    }
  };
  if (ext === '.json') return asJson();
  if (ext === '.yaml' || ext === '.yml') return asYaml();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return asYaml();
  }
}

export function writeOut(file: string, text: string): void {
  try {
    writeFileSync(resolve(file), text);
  } catch (e) {
    throw new CliError(`cannot write ${file}: ${oneLine(e)}`);
  }
}
