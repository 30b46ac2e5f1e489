/** CNI error codes (SPEC §5). Codes 100+ are plugin-specific. */
export const ErrorCode = {
  IncompatibleVersion: 1,
  UnsupportedField: 2,
  UnknownContainer: 3,
  InvalidEnvironment: 4,
  IoFailure: 5,
  DecodeFailure: 6,
  InvalidConfig: 7,
  InvalidNetns: 8,
  TryAgainLater: 11,
  PluginNotAvailable: 50,
  LimitedConnectivity: 51,
  Internal: 999,
} as const;
export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The one error type handlers throw; the dispatcher turns it into the spec's error JSON. */
export class CniError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly details = '',
  ) {
    super(message);
    this.name = 'CniError';
  }

  toJSON(cniVersion?: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (cniVersion) out.cniVersion = cniVersion;
    out.code = this.code;
    out.msg = this.message;
    if (this.details) out.details = this.details;
    return out;
  }

  /** Wrap anything thrown into a CniError: unknown errors become code 999 with their message. */
  static from(err: unknown): CniError {
    if (err instanceof CniError) return err;
    if (err instanceof Error) return new CniError(ErrorCode.Internal, err.message);
    return new CniError(ErrorCode.Internal, String(err));
  }
}

export const invalidConfig = (msg: string): CniError => new CniError(ErrorCode.InvalidConfig, msg);
