"""Times 200 `say` calls through `chronus mcp ARGS...` (median, p95, max round trip).
Usage: `python3 scripts/mcp_latency.py --embedded --output null --no-osc`, or `--osc-port 5077` against a running chronus.
The binary is $CHRONUS (default: chronus on PATH).
"""
import json, os, subprocess, sys, time, statistics
args = sys.argv[1:]
p = subprocess.Popen([os.environ.get("CHRONUS", "chronus"), "mcp"] + args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
n = 0
def req(method, params):
    global n
    n += 1
    p.stdin.write(json.dumps({"jsonrpc": "2.0", "id": n, "method": method, "params": params}) + "\n"); p.stdin.flush()
    while True:
        r = json.loads(p.stdout.readline())
        if r.get("id") == n: return r
req("initialize", {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "b", "version": "0"}})
p.stdin.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n'); p.stdin.flush()
ts = []
for i in range(200):
    t = time.perf_counter()
    r = req("tools/call", {"name": "say", "arguments": {"phrase": f"cutoff {500 + i}"}})
    ts.append((time.perf_counter() - t) * 1000)
    assert not r["result"]["isError"], r
ts.sort()
print(f"{' '.join(args) or 'attach'}: say round trip median {statistics.median(ts):.2f} ms, p95 {ts[int(len(ts)*0.95)]:.2f} ms, max {ts[-1]:.2f} ms over {len(ts)} calls")
p.stdin.close(); p.wait()
