#!/usr/bin/env python3
"""A minimal OSC client for chronus using only the standard library.

Sends each message given on the command line (ADDRESS [ARG ...], separated by ` -- `) to
chronus on 127.0.0.1 and prints what comes back, as in README's OSC section:

    python3 examples/osc_client.py 57120 /mod/filter/cutoff 800.0 -- /chronus/say chord Dm7
"""
import socket
import struct
import sys


def pad(b: bytes) -> bytes:
    return b + b"\0" * (4 - len(b) % 4)


def encode(address: str, args: list) -> bytes:
    tags, data = ",", b""
    for a in args:
        if isinstance(a, int):
            tags, data = tags + "i", data + struct.pack(">i", a)
        elif isinstance(a, float):
            tags, data = tags + "f", data + struct.pack(">f", a)
        else:
            tags, data = tags + "s", data + pad(a.encode())
    return pad(address.encode()) + pad(tags.encode()) + data


def decode(packet: bytes):
    def string(at):
        end = packet.index(b"\0", at)
        return packet[at:end].decode(), (end // 4 + 1) * 4

    address, at = string(0)
    tags, at = string(at)
    args = []
    for t in tags[1:]:
        if t == "s":
            s, at = string(at)
            args.append(s)
        elif t in "if":
            args.append(struct.unpack(">" + t, packet[at : at + 4])[0])
            at += 4
    return address, args


def parse_arg(word: str):
    for kind in (int, float):
        try:
            return kind(word)
        except ValueError:
            pass
    return word


def main():
    port = int(sys.argv[1])
    messages, current = [], []
    for word in sys.argv[2:] + ["--"]:
        if word == "--":
            if current:
                messages.append(current)
            current = []
        else:
            current.append(word)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(2.0)
    for address, *words in messages:
        args = [parse_arg(w) for w in words]
        # A phrase is one string argument, as typed.
        if address == "/chronus/say":
            args = [" ".join(words)]
        print(f"> {address} {' '.join(str(a) for a in args)}".rstrip())
        sock.sendto(encode(address, args), ("127.0.0.1", port))
        try:
            reply, _ = sock.recvfrom(65536)
            print(f"< {decode(reply)[0]} {decode(reply)[1]}")
        except socket.timeout:
            print("< (no reply)")


if __name__ == "__main__":
    main()
