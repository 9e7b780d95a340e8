/**
 * Removes secrets from any text that leaves the process other than records: the
 * config's secrets (see configSecrets), raw, URL-encoded and JSON-escaped, and any
 * Authorization header value.
 */
export class SecretFilter {
  private readonly secrets: string[] = [];

  add(...values: (string | undefined)[]): void {
    for (const value of values) {
      // Short values would blank out ordinary words; keys are 32 hex characters.
      if (!value || value.length < 4) continue;
      // Raw, URL-encoded, and as it reads inside a JSON string (messages are redacted as JSON).
      const forms = [value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)];
      for (const form of forms) {
        if (!this.secrets.includes(form)) this.secrets.push(form);
      }
    }
    // Longest first, so a secret that contains another is removed whole.
    this.secrets.sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join("****");
    // Whatever the source, an Authorization header value never goes out.
    return out.replace(
      /(authorization["']?\s*[:=]\s*["']?(?:basic|bearer)\s+)[^\s"',}]+/gi,
      "$1****",
    );
  }
}
