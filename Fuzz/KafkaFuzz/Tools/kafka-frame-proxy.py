# Logs every Kafka frame between a client and tansu: requests (api key/version/correlation) and
# the matching responses, as hex lines "dir api ver corr hex".
import socket, struct, threading, sys
LISTEN, TARGET, LOG = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
lock = threading.Lock()
def recvn(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c: return None
        b += c
    return b
def handle(client):
    server = socket.create_connection(("127.0.0.1", TARGET))
    pending = {}
    def up():
        while True:
            h = recvn(client, 4)
            if h is None: break
            body = recvn(client, struct.unpack(">i", h)[0])
            api, ver, corr = struct.unpack(">hhi", body[:8])
            pending[corr] = (api, ver)
            with lock, open(LOG, "a") as f: f.write(f"req {api} {ver} {corr} {body.hex()}\n")
            server.sendall(h + body)
        server.close()
    def down():
        while True:
            h = recvn(server, 4)
            if h is None: break
            body = recvn(server, struct.unpack(">i", h)[0])
            corr = struct.unpack(">i", body[:4])[0]
            api, ver = pending.get(corr, (-1, -1))
            with lock, open(LOG, "a") as f: f.write(f"resp {api} {ver} {corr} {body.hex()}\n")
            client.sendall(h + body)
        client.close()
    threading.Thread(target=up, daemon=True).start()
    threading.Thread(target=down, daemon=True).start()
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", LISTEN)); s.listen(16)
while True:
    c, _ = s.accept(); handle(c)
