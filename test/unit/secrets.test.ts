import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { configSecrets } from "../../src/config/config.js";
import { SecretFilter } from "../../src/secrets.js";

const API_KEY = "0123456789abcdef0123456789abcdef";
const SECRET_KEY = "fedcba9876543210fedcba9876543210";
const BASIC = Buffer.from(`${API_KEY}:${SECRET_KEY}`).toString("base64");

function filter(): SecretFilter {
  const secrets = new SecretFilter();
  secrets.add(...configSecrets({ api_key: API_KEY, secret_key: SECRET_KEY, chart_ids: ["a"] }));
  return secrets;
}

describe("a config's secrets", () => {
  it("are the values of the spec's airbyte_secret fields and the Basic credentials", () => {
    const raw = {
      api_key: API_KEY,
      secret_key: SECRET_KEY,
      chart_ids: ["abc123de"],
      base_url: "x",
    };
    expect(configSecrets(raw).sort()).toEqual([API_KEY, SECRET_KEY, BASIC].sort());
  });

  it("are taken from a config that does not validate, and never from non-strings", () => {
    expect(configSecrets({ api_key: API_KEY, secret_key: 42 })).toEqual([API_KEY]);
    expect(configSecrets(null)).toEqual([]);
    expect(configSecrets(["x"])).toEqual([]);
  });
});

describe("the secret filter", () => {
  it("removes the API key and the secret key wherever they appear", () => {
    const text = `api_key=${API_KEY} and "secret_key":"${SECRET_KEY}"; again ${API_KEY}`;
    const redacted = filter().redact(text);
    expect(redacted).not.toContain(API_KEY);
    expect(redacted).not.toContain(SECRET_KEY);
    expect(redacted).toBe('api_key=**** and "secret_key":"****"; again ****');
  });

  it("removes the base64 Basic credentials built from the keys", () => {
    const redacted = filter().redact(`credentials ${BASIC} in a dump`);
    expect(redacted).toBe("credentials **** in a dump");
  });

  it("removes the URL-encoded form of a key", () => {
    const secrets = new SecretFilter();
    secrets.add("s3cr/t+key=");
    expect(secrets.redact("https://x/?k=s3cr%2Ft%2Bkey%3D and s3cr/t+key=")).toBe(
      "https://x/?k=**** and ****",
    );
  });

  it("removes a key as it reads inside a JSON string (quotes and backslashes escaped)", () => {
    const secrets = new SecretFilter();
    secrets.add('k"e\\y\tz');
    const json = JSON.stringify({ message: 'with k"e\\y\tz inside' });
    expect(secrets.redact(json)).toBe('{"message":"with **** inside"}');
  });

  it("removes a secret that contains another one whole", () => {
    const secrets = new SecretFilter();
    secrets.add("abcd", "abcdefgh");
    expect(secrets.redact("abcdefgh abcd")).toBe("**** ****");
  });

  it("leaves text without secrets unchanged, and ignores values too short to be keys", () => {
    const secrets = filter();
    secrets.add("ab", "", undefined);
    expect(secrets.redact("Chart ab12: 5 rows, about 2 s")).toBe("Chart ab12: 5 rows, about 2 s");
  });
});

describe("Authorization headers", () => {
  const secrets = new SecretFilter(); // knows no keys: the header form alone is enough

  it.each([
    ["Authorization: Basic dXNlcjpwYXNz", "Authorization: Basic ****"],
    ["authorization: basic dXNlcjpwYXNz\r\nhost: x", "authorization: basic ****\r\nhost: x"],
    [
      '{"authorization":"Basic dXNlcjpwYXNz","accept":"text/csv"}',
      '{"authorization":"Basic ****","accept":"text/csv"}',
    ],
    ["AUTHORIZATION=Bearer abc.def.ghi end", "AUTHORIZATION=Bearer **** end"],
  ])("%j becomes %j", (text, expected) => {
    expect(secrets.redact(text)).toBe(expected);
  });

  it("is removed from an inspected request options object, as in an error dump", () => {
    const dump = inspect({ headers: { authorization: `Basic ${BASIC}`, accept: "text/csv" } });
    const redacted = secrets.redact(dump);
    expect(redacted).not.toContain(BASIC);
    expect(redacted).toContain("Basic ****");
    expect(redacted).toContain("text/csv");
  });
});
