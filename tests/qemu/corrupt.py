#!/usr/bin/env python3
"""corrupt.py IMAGE SECTION — flips one bit in the middle of SECTION's
content, leaving the table (and so the recorded SHA-256 and signature) as
they were: the kernel must refuse that section with a checksum mismatch.
Reads the trailer as MODULES.md ("The image format") describes it."""
import struct
import sys


def main(path, name):
    data = bytearray(open(path, "rb").read())
    table_offset, count, entry_size, version, _, magic = struct.unpack_from(
        "<QIIII8s", data, len(data) - 32)
    if magic != b"WISP-IMG" or version != 1:
        sys.exit("corrupt.py: %s has no Wisp image trailer" % path)
    for i in range(count):
        entry = table_offset + i * entry_size
        offset, size = struct.unpack_from("<QQ", data, entry + 16)
        entry_name = data[entry + 32:entry + 64].split(b"\0")[0].decode()
        if entry_name == name:
            data[offset + size // 2] ^= 0x01
            open(path, "wb").write(data)
            return 0
    sys.exit("corrupt.py: no section %s in %s" % (name, path))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
