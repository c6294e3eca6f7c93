/**
 * A JSON array split into its items chunk by chunk (`unlocks import` of a large .json calendar): the
 * top-level `[ ... ]` is scanned for the commas between items (strings, escapes and nesting tracked),
 * and each item's text is handed back whole for JSON.parse. Only one item is held at a time.
 * Anything but an array at the top, or text after its closing bracket, is a file-level error.
 */
import { CliError } from '../context';

export class JsonArrayStream {
  /** items handed out so far */
  count = 0;
  private state: 'before' | 'inside' | 'after' = 'before';
  private depth = 0;
  private inString = false;
  private escape = false;
  private item = '';

  private take(out: string[], file: string, closing: boolean): void {
    const t = this.item.trim();
    this.item = '';
    // "[]" is an empty array; an empty item anywhere else ("[1,,2]", "[1,]") is a syntax error
    if (!t && closing && this.count === 0 && out.length === 0) return;
    if (!t) throw new CliError(`${file} is not valid JSON: item ${this.count + 1} is empty (a stray comma)`);
    out.push(t);
    this.count++;
  }

  push(chunk: string, file: string): string[] {
    const out: string[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (this.state === 'before') {
        if (c === '[') this.state = 'inside';
        else if (!/\s|\uFEFF/.test(c)) throw new CliError(`${file}: expected a JSON array of unlock events`);
        continue;
      }
      if (this.state === 'after') {
        if (!/\s/.test(c)) throw new CliError(`${file} is not valid JSON: unexpected "${c}" after the array's closing bracket`);
        continue;
      }
      if (this.inString) {
        this.item += c;
        if (this.escape) this.escape = false;
        else if (c === '\\') this.escape = true;
        else if (c === '"') this.inString = false;
        continue;
      }
      if (this.depth === 0 && c === ',') {
        this.take(out, file, false);
        continue;
      }
      if (this.depth === 0 && c === ']') {
        this.take(out, file, true);
        this.state = 'after';
        continue;
      }
      if (c === '"') this.inString = true;
      else if (c === '{' || c === '[') this.depth++;
      else if (c === '}' || c === ']') this.depth--;
      this.item += c;
    }
    return out;
  }

  end(file: string): string[] {
    if (this.state === 'before') throw new CliError(`${file}: expected a JSON array of unlock events`);
    if (this.state === 'inside') throw new CliError(`${file} is not valid JSON: the array is not closed (the file ends inside item ${this.count + 1})`);
    return [];
  }
}
