/**
 * The one error for bad history input: a malformed line, a completion without an invoke, an
 * unknown `f` for a model. It always names where (file and 1-based line) and why, so the CLI
 * can print it as is and exit 3.
 */
export class HistoryParseError extends Error {
  override name = "HistoryParseError";
  /** 1-based line in the source file (or element number when the source had no lines). */
  readonly line: number | undefined;
  readonly fileName: string | undefined;
  /** The message without the `file:line:` prefix. */
  readonly reason: string;

  constructor(reason: string, where: { line?: number; fileName?: string } = {}) {
    super(HistoryParseError.format(reason, where));
    this.line = where.line;
    this.fileName = where.fileName;
    this.reason = reason;
  }

  private static format(reason: string, { line, fileName }: { line?: number; fileName?: string }): string {
    if (fileName !== undefined && line !== undefined) return `${fileName}:${line}: ${reason}`;
    if (fileName !== undefined) return `${fileName}: ${reason}`;
    if (line !== undefined) return `line ${line}: ${reason}`;
    return reason;
  }

  /** The same error, located in a file (for callers that learn the file name later). */
  inFile(fileName: string): HistoryParseError {
    return new HistoryParseError(this.reason, { line: this.line, fileName });
  }
}
