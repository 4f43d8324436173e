/** Options that cannot work. Thrown at startup, naming the option, so a bad deployment never serves. */
export class OidcAuthConfigError extends Error {
  constructor(path: string, problem: string) {
    super(`OidcAuthModule: ${path} ${problem}`);
    this.name = 'OidcAuthConfigError';
  }
}
