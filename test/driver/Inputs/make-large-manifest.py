#!/usr/bin/env python3
"""Write a manifest of about SIZE bytes (default 20 MB) to stdout, shaped as
the writer shapes one (docs/manifest.md): an INT, then STRUCTs of 8 members
each, then one relocation. Used to bound the reader's memory."""
import sys


def main():
    target = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000_000
    out = sys.stdout
    out.write('{\n  "format": "btfgen-manifest",\n  "version": 1,\n'
              '  "source": "big.c",\n  "object": "big.o",\n  "types": [\n')
    out.write('    {"id":1,"kind":"INT","name":"int","size":4,'
              '"bits_offset":0,"nr_bits":32,"encoding":"SIGNED"}')
    size, i = 200, 2
    while size < target:
        members = ",".join('{"name":"field_%d","type_id":1,"bits_offset":%d}'
                           % (k, 32 * k) for k in range(8))
        line = (',\n    {"id":%d,"kind":"STRUCT","name":"struct_%d",'
                '"size":32,"vlen":8,"members":[%s]}' % (i, i, members))
        out.write(line)
        size += len(line)
        i += 1
    out.write('\n  ],\n  "relocations": [\n    {"kind":"byte_off","kind_id":0,'
              '"type":2,"type_name":"struct_2","access":"0:1","locations":[]}'
              '\n  ]\n}\n')


if __name__ == "__main__":
    main()
