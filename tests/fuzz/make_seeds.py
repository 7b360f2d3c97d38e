#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets added with scripts/fuzz.sh (document, archive,
http_request, mcp_message, jwt, yaml_json) into tests/fuzz/corpus/<target>/seed_*. Run once by
hand; the seeds are committed, and crash inputs that scripts/fuzz.sh adds sit beside them.
segment_scanner's seeds are segments the audit log wrote (see docs/design/testing.md)."""
import base64, io, json, os, pathlib, tarfile, zipfile

HERE = pathlib.Path(__file__).resolve().parent
CORPUS = HERE / "corpus"


def put(target, name, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / ("seed_" + name)).write_bytes(data if isinstance(data, bytes) else data.encode())


def zip_bytes(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


def tgz_bytes(files):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        for name, data in files.items():
            raw = data.encode() if isinstance(data, str) else data
            info = tarfile.TarInfo(name)
            info.size = len(raw)
            t.addfile(info, io.BytesIO(raw))
    return buf.getvalue()


# document: first byte = format index (markdown text html pdf csv tsv code confluence), bit 7
# small chunks.
MD = "# Handbook\n\nIntro text.\n\n## Leave\n\n1. Parental leave is 16 weeks.\n2. Sick leave.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```python\ndef f():\n    return 1\n```\n"
put("document", "markdown", b"\x00" + MD.encode())
put("document", "markdown_small_chunks", b"\x80" + MD.encode())
put("document", "text", b"\x01" + "Title\n\nSection 1. Scope.\n\nSection 2. Terms apply.\r\nline\x00\xff\n".encode("latin-1"))
put("document", "html", b"\x02" + b"<html><head><title>T</title></head><body><h1>H</h1><p>para &amp; more</p><table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table><pre>code</pre><script>x()</script></body></html>")
put("document", "pdf", b"\x03" + (HERE / "../unit/ingest/fixtures/contract.pdf").read_bytes())
put("document", "csv", b"\x04" + b'name,role,"quoted, cell"\nann,admin,"a ""b"""\nbob,user,\n')
put("document", "tsv", b"\x05" + b"name\trole\nann\tadmin\nbob\tuser\n")
put("document", "code", b"\x06" + b"import os\n\nclass A:\n    def f(self):\n        return 1\n\ndef g(x):\n    return x * 2\n")
put("document", "confluence", b"\x07" + b'<h1>Page</h1><p>Hello <ac:link><ri:page ri:content-title="Other"/></ac:link></p><ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[x = 1]]></ac:plain-text-body></ac:structured-macro><table><tbody><tr><th>a</th></tr><tr><td>1</td></tr></tbody></table>')

# archive: first byte bit 0 = Slack export reader.
files = {"docs/a.md": "# A\n\ntext\n", "docs/b.txt": "plain\n", "c.csv": "x,y\n1,2\n"}
put("archive", "zip", b"\x00" + zip_bytes(files))
put("archive", "tgz", b"\x00" + tgz_bytes(files))
put("archive", "nested_zip", b"\x00" + zip_bytes({"outer.md": "# O\n", "inner.zip": zip_bytes(files)}))
put("archive", "zip_slip", b"\x00" + zip_bytes({"../evil.md": "x", "/abs.md": "y", "ok.md": "z"}))
slack = {
    "users.json": json.dumps([{"id": "U1", "name": "ann", "profile": {"display_name": "Ann", "email": "ann@example.com"}},
                              {"id": "U2", "name": "bob", "deleted": True}]),
    "channels.json": json.dumps([{"id": "C1", "name": "general", "members": ["U1", "U2"], "is_archived": False}]),
    "groups.json": json.dumps([{"id": "G1", "name": "secret", "members": ["U1"]}]),
    "dms.json": json.dumps([{"id": "D1", "members": ["U1", "U2"]}]),
    "general/2024-01-02.json": json.dumps([{"type": "message", "user": "U1", "text": "hello <@U2>", "ts": "1704189600.000100"},
                                           {"type": "message", "user": "U2", "text": "reply", "ts": "1704189700.000200", "thread_ts": "1704189600.000100"}]),
    "secret/2024-01-03.json": json.dumps([{"type": "message", "user": "U1", "text": "hush", "ts": "1704276000.000100"}]),
    "D1/2024-01-04.json": json.dumps([{"type": "message", "user": "U2", "text": "dm", "ts": "1704362400.000100"}]),
}
put("archive", "slack_export", b"\x01" + zip_bytes(slack))

# http_request: raw requests.
put("http_request", "search", "POST /v1/search HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer wk_abc\r\nContent-Type: application/json\r\ntraceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\nContent-Length: 31\r\n\r\n{\"query\":\"leave policy\",\"k\":5}\n")
put("http_request", "get_query", "GET /v1/documents/a%2Fb.md?x=1&y=%20z+w HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\nAccept: text/plain\r\n\r\n")
put("http_request", "chunked", "POST /v1/tools/echo/call HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n7\r\n{\"a\":1}\r\n0\r\n\r\n")
put("http_request", "scope", "DELETE /v1/principals/ann/scope/source/docs/x%2Fy HTTP/1.0\r\n\r\n")
put("http_request", "mcp", "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nOrigin: http://localhost:3000\r\nMcp-Session-Id: abc\r\nContent-Length: 58\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{}}")

# mcp_message: first byte (mod 4) picks the reader.
init = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "c", "version": "1"}}}
put("mcp_message", "initialize", b"\x00" + json.dumps(init).encode())
put("mcp_message", "call", b"\x00" + json.dumps({"jsonrpc": "2.0", "id": "x", "method": "tools/call", "params": {"name": "search", "arguments": {"query": "q"}, "_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28"}}}).encode())
put("mcp_message", "batch", b"\x00" + json.dumps([{"jsonrpc": "2.0", "method": "notifications/initialized"}, {"jsonrpc": "2.0", "id": 7, "result": {}}, {"jsonrpc": "2.0", "id": 8, "error": {"code": -1, "message": "m"}}]).encode())
put("mcp_message", "headers", b"\x01" + json.dumps({"schema": {"type": "object", "properties": {"region": {"type": "string", "x-mcp-header": "Region"}, "n": {"type": "integer", "x-mcp-header": "N"}}},
                                                      "arguments": {"region": "eu", "n": 3},
                                                      "headers": {"mcp-param-region": "=?base64?ZXU=?=", "mcp-param-n": "3"}}).encode())
put("mcp_message", "origin", b"\x02" + b"http://localhost:3000\n127.0.0.1:8080")
put("mcp_message", "origin_ipv6", b"\x02" + b"https://[::1]:443\n[::1]")
put("mcp_message", "state_token", b"\x03" + b"7b2261223a317d.00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff")

# jwt: JWKS NUL token (tokens signed with the RFC 7515 appendix A.3 example key).
def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

jwks = json.dumps({"keys": [{"kty": "EC", "crv": "P-256", "kid": "k1", "use": "sig", "alg": "ES256",
                             "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
                             "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]})
try:
    from cryptography.hazmat.primitives.asymmetric import ec, utils, rsa, padding
    from cryptography.hazmat.primitives import hashes
    d = int.from_bytes(base64.urlsafe_b64decode("jpsQnnGQmL-YBIffH1136cLyQcJSB3V7Yi5uxzqwvSI="), "big")
    key = ec.derive_private_key(d, ec.SECP256R1())
    claims = {"iss": "https://issuer.example.com", "aud": "ward", "sub": "ann", "exp": 1700003600, "iat": 1699999000}
    signing = b64u(json.dumps({"alg": "ES256", "kid": "k1", "typ": "JWT"}).encode()) + "." + b64u(json.dumps(claims).encode())
    r, s = utils.decode_dss_signature(key.sign(signing.encode(), ec.ECDSA(hashes.SHA256())))
    token = signing + "." + b64u(r.to_bytes(32, "big") + s.to_bytes(32, "big"))
    put("jwt", "es256_token", token)
    put("jwt", "es256_jwks_token", jwks + "\x00" + token)
    rkey = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pub = rkey.public_key().public_numbers()
    n = pub.n.to_bytes((pub.n.bit_length() + 7) // 8, "big")
    rjwks = json.dumps({"keys": [{"kty": "RSA", "kid": "r1", "alg": "RS256", "use": "sig", "n": b64u(n), "e": "AQAB"}]})
    rsigning = b64u(json.dumps({"alg": "RS256", "kid": "r1"}).encode()) + "." + b64u(json.dumps(claims).encode())
    rtoken = rsigning + "." + b64u(rkey.sign(rsigning.encode(), padding.PKCS1v15(), hashes.SHA256()))
    put("jwt", "rs256_jwks_token", rjwks + "\x00" + rtoken)
except ImportError:
    pass
put("jwt", "alg_none", b64u(b'{"alg":"none"}') + "." + b64u(b'{"sub":"x"}') + ".")

# yaml_json: first byte bit 0 = YAML.
put("yaml_json", "json", b"\x00" + b'{"a":[1,2.5,-3e10,true,null,"\\u00e9\\ud83d\\ude00"],"b":{"c":""}}')
put("yaml_json", "yaml_tool", b"\x01" + b"name: echo\ndescription: |\n  Echoes.\ninput_schema:\n  type: object\n  properties:\n    text: {type: string}\nanchors: &a [1, 2]\nref: *a\nflags: [yes, no, ~, 0x1F, .inf]\n")
put("yaml_json", "yaml_laughs", b"\x01" + b"a: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\nc: &c [*b, *b, *b, *b]\nd: [*c, *c, *c, *c]\n")
