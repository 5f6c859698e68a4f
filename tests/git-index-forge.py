#!/usr/bin/env python3
"""git-index-forge.py INDEX PATH BLOB OUT: a copy of git index INDEX (version
2) where the entry PATH names BLOB instead, its stat data kept, without the
extensions (the cached trees would hide the change from write-tree), with
its checksum made again: what a member of the journal's group can write in
place of a private index of root's sync (tests/privsep-git.bats)."""
import hashlib
import struct
import sys

index, path, blob, out = sys.argv[1], sys.argv[2].encode(), bytes.fromhex(sys.argv[3]), sys.argv[4]
data = open(index, 'rb').read()
sig, version, count = struct.unpack('>4sLL', data[:12])
assert sig == b'DIRC' and version == 2, (sig, version)
pos, found = 12, False
body = bytearray(data[:12])
for _ in range(count):
    flags = struct.unpack('>H', data[pos + 60:pos + 62])[0]
    end = data.index(b'\0', pos + 62)
    name = data[pos + 62:end]
    size = (62 + len(name) + 8) // 8 * 8
    entry = bytearray(data[pos:pos + size])
    if name == path:
        entry[40:60] = blob
        found = True
    assert flags & 0x4000 == 0  # no extended flags in version 2
    body += entry
    pos += size
assert found, path
body += hashlib.sha1(body).digest()
open(out, 'wb').write(bytes(body))
