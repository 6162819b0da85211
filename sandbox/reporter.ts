/**
 * The sandbox's voice: one progress line per step, indented detail lines, and colour only on a terminal
 * (piped output — CI logs, the e2e test — stays plain text, and NO_COLOR is honoured).
 */

/** Where the story is written; `process.stdout` in the CLI, a collecting function in tests. */
export interface Reporter {
  /** `✔ n/total message` — a step that finished. */
  step(n: number, total: number, message: string): void;
  /** An indented detail under the last step. */
  detail(message: string): void;
  /** A line on its own (headings, the final summary). */
  line(message: string): void;
  /** `✖ message` — what failed and how to fix it. */
  fail(message: string): void;
}

type Paint = (text: string) => string;

const plain: Paint = (text) => text;

function ansi(code: number): Paint {
  return (text) => `\u001b[${code}m${text}\u001b[0m`;
}

/** True when colour codes would be understood: a TTY, and the user did not opt out via NO_COLOR. */
export function wantsColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === "");
}

/**
 * A reporter writing lines through `write` (which receives each line without its newline).
 * @example const reporter = createReporter((l) => process.stdout.write(`${l}\n`), wantsColour(process.stdout, process.env));
 */
export function createReporter(write: (line: string) => void, colour: boolean): Reporter {
  const green = colour ? ansi(32) : plain;
  const red = colour ? ansi(31) : plain;
  const dim = colour ? ansi(2) : plain;
  return {
    step: (n, total, message) => write(`${green("✔")} ${n}/${total} ${message}`),
    detail: (message) => write(`      ${dim(message)}`),
    line: (message) => write(message),
    fail: (message) => write(`${red("✖")} ${message}`),
  };
}
