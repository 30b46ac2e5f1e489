/**
 * The kernel's answer to a failed request: an errno and, when the kernel gave one, its own words
 * (extended ack). message is worded as iproute2 words it ("RTNETLINK answers: File exists",
 * "Error: ipv4: Address already assigned."), so callers match one set of texts whichever way the
 * request went.
 */
export class NetlinkError extends Error {
  constructor(
    readonly errno: number,
    readonly kernelMessage?: string,
  ) {
    super(kernelMessage ? `Error: ${kernelMessage}${kernelMessage.endsWith('.') ? '' : '.'}` : `RTNETLINK answers: ${strerror(errno)}`);
    this.name = 'NetlinkError';
  }
}

/**
 * A command argument that refers to nothing (no link of that name, no namespace at that path),
 * worded as iproute2 words it. `exitsBatch`: iproute2 rejects this argument by exiting at once
 * (status 255, no "Command failed" line) rather than failing the line.
 */
export class IpArgumentError extends Error {
  constructor(
    message: string,
    readonly exitsBatch = false,
  ) {
    super(message);
    this.name = 'IpArgumentError';
  }
}

/** iproute2's words for an argument it refuses and exits on. */
export const invalidArgument = (arg: string, why: string): IpArgumentError => new IpArgumentError(`Error: argument "${arg}" is wrong: ${why}`, true);

const MESSAGES: Record<number, string> = {
  1: 'Operation not permitted',
  2: 'No such file or directory',
  3: 'No such process',
  11: 'Resource temporarily unavailable',
  12: 'Cannot allocate memory',
  13: 'Permission denied',
  16: 'Device or resource busy',
  17: 'File exists',
  19: 'No such device',
  22: 'Invalid argument',
  28: 'No space left on device',
  34: 'Numerical result out of range',
  36: 'File name too long',
  90: 'Message too long',
  93: 'Protocol not supported',
  95: 'Operation not supported',
  97: 'Address family not supported by protocol',
  99: 'Cannot assign requested address',
  101: 'Network is unreachable',
  105: 'No buffer space available',
  113: 'No route to host',
};

/** libc's strerror text for the errnos rtnetlink answers with. */
export const strerror = (errno: number): string => MESSAGES[errno] ?? `Unknown error ${errno}`;
