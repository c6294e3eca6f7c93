/**
 * Minimal RFC 4180 CSV: quoted fields with "" escapes and newlines inside quotes. Each parsed record
 * carries the PHYSICAL line it starts on (1-based, header included), so import errors name the line
 * an editor shows.
 */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/**
 * The parser fed chunk by chunk (a file streamed from disk: `unlocks import`), so a large file is
 * never held whole; `push` returns the records completed so far, `end` the last one.
 */
export class CsvStream {
  private line = 1;
  private recordLine = 1;
  private field = '';
  private fields: string[] = [];
  private inQuotes = false;
  private fieldStarted = false;
  /** a quote inside quotes, at the end of a chunk: "" (escape) or the closing one, decided by the next char */
  private quotePending = false;
  /** a \r at the end of a chunk: part of \r\n or a record end of its own */
  private crPending = false;
  private first = true;
  private out: CsvRecord[] = [];

  private endRecord(): void {
    this.fields.push(this.field);
    // a blank line is no record
    if (!(this.fields.length === 1 && this.fields[0] === '' && !this.fieldStarted)) this.out.push({ line: this.recordLine, fields: this.fields });
    this.fields = [];
    this.field = '';
    this.fieldStarted = false;
  }

  private newline(): void {
    this.endRecord();
    this.line++;
    this.recordLine = this.line;
  }

  push(chunk: string): CsvRecord[] {
    let src = chunk;
    if (this.first && src.length) {
      src = src.replace(/^\uFEFF/, '');
      this.first = false;
    }
    // a field's text is cut out of the chunk in slices (from `seg` to the character that ends it), not
    // built character by character: one string per field instead of a rope per character
    let seg = 0;
    const flush = (i: number) => {
      if (i > seg) this.field += src.slice(seg, i);
      seg = i;
    };
    for (let i = 0; i < src.length; i++) {
      const c = src[i]!;
      if (this.crPending) {
        this.crPending = false;
        this.newline();
        if (c === '\n') {
          seg = i + 1;
          continue;
        }
      }
      if (this.quotePending) {
        this.quotePending = false;
        // "" inside quotes: this second quote is the field's character (the first was left out)
        if (c === '"') continue;
        this.inQuotes = false;
      }
      if (this.inQuotes) {
        if (c === '"') {
          flush(i);
          seg = i + 1;
          this.quotePending = true;
        } else if (c === '\n') this.line++;
        continue;
      }
      if (c === '"' && this.field === '' && seg === i) {
        this.inQuotes = true;
        this.fieldStarted = true;
        seg = i + 1;
      } else if (c === ',') {
        flush(i);
        this.fields.push(this.field);
        this.field = '';
        seg = i + 1;
        this.fieldStarted = true;
      } else if (c === '\r') {
        flush(i);
        seg = i + 1;
        this.crPending = true;
      } else if (c === '\n') {
        flush(i);
        seg = i + 1;
        this.newline();
      }
    }
    flush(src.length);
    const done = this.out;
    this.out = [];
    return done;
  }

  end(): CsvRecord[] {
    if (this.crPending) {
      this.crPending = false;
      this.newline();
    }
    if (this.quotePending) {
      this.quotePending = false;
      this.inQuotes = false;
    }
    if (this.inQuotes) throw new Error(`unterminated quoted field starting on line ${this.recordLine}`);
    if (this.field !== '' || this.fields.length || this.fieldStarted) this.endRecord();
    const done = this.out;
    this.out = [];
    return done;
  }
}

export function parseCsv(text: string): CsvRecord[] {
  const p = new CsvStream();
  return [...p.push(text), ...p.end()];
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(headers: string[], rows: unknown[][]): string {
  return [headers.map(cell).join(','), ...rows.map((r) => r.map(cell).join(','))].join('\n') + '\n';
}
