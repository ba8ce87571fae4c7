/** A toolchain problem the user can fix (missing tool, bad source tree, compiler error): exit code 1. */
export class ToolchainError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'ToolchainError';
    this.exitCode = exitCode;
  }
}
