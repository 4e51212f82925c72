"""Prints a short MCP exchange with `chronus mcp --osc-port PORT` (the README's "Play with an AI agent").
Usage: start `chronus --plain --output null --osc-port 5077`, then `python3 scripts/mcp_exchange.py 5077`.
The binary is $CHRONUS (default: chronus on PATH).
"""
import json, os, subprocess, sys
port = sys.argv[1]
p = subprocess.Popen([os.environ.get("CHRONUS", "chronus"), "mcp", "--osc-port", port],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
n = 0
def req(method, params, show=True):
    global n
    n += 1
    msg = {"jsonrpc": "2.0", "id": n, "method": method, "params": params}
    p.stdin.write(json.dumps(msg, ensure_ascii=False) + "\n"); p.stdin.flush()
    while True:
        r = json.loads(p.stdout.readline())
        if r.get("id") == n:
            break
    if show:
        print("→", json.dumps(msg, ensure_ascii=False))
        res = r["result"]
        if "structuredContent" in res:
            out = {"structuredContent": res["structuredContent"], "isError": res.get("isError")}
        else:
            out = {"content": res.get("content"), "isError": res.get("isError")}
        print("←", json.dumps(out, ensure_ascii=False))
    return r
req("initialize", {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "demo", "version": "0"}}, show=False)
p.stdin.write(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}) + "\n"); p.stdin.flush()
def call(name, args):
    req("tools/call", {"name": name, "arguments": args})
call("say", {"phrase": "osc square, gate on"})
call("say", {"phrase": "filter a bit darker"})
call("say", {"phrase": "flitter darker"})
call("explain", {"phrase": "much brighter"})
call("say", {"phrase": "track hats pattern x.x.x.x., start"})
call("render", {"session": "osc square\nnote A3\n@1.5 note off 57"})
r = req("tools/call", {"name": "show", "arguments": {}}, show=False)
sc = r["result"]["structuredContent"]
print("→", json.dumps({"jsonrpc":"2.0","id":n,"method":"tools/call","params":{"name":"show","arguments":{}}}))
print("←", json.dumps({"structuredContent": {"gate": sc["gate"], "params": {k: sc["params"][k] for k in ["osc.wave","filter.cutoff"]}, "transport": sc["transport"], "tracks": sc["tracks"]}}, ensure_ascii=False), "(params cut to two here)")
p.stdin.close(); p.wait()
