#!/usr/bin/env python3
"""Prints two address blocks of a VPC that no subnet uses, comma-separated, for the database's
subnets (`make deploy`, on the stack's first deploy): the highest free blocks of the given prefix
length, so that they stay clear of subnets made from the bottom of the range, as the default VPC's are.

Usage: scripts/free-subnet-blocks.py --vpc CIDR[,CIDR…] --taken CIDR[,CIDR…] --prefix N"""
import argparse
import ipaddress
import sys


def free_blocks(vpc_blocks, taken, prefix, count=2):
    used = [ipaddress.ip_network(block) for block in taken]
    found = []
    for vpc in vpc_blocks:
        vpc = ipaddress.ip_network(vpc)
        if vpc.version != 4 or vpc.prefixlen > prefix:
            continue
        for block in reversed(list(vpc.subnets(new_prefix=prefix))):
            if not any(block.overlaps(other) for other in used + found):
                found.append(block)
                if len(found) == count:
                    return found
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vpc", required=True)
    parser.add_argument("--taken", default="")
    parser.add_argument("--prefix", type=int, required=True)
    args = parser.parse_args()
    split = lambda text: [part for part in text.replace("\t", ",").replace(" ", ",").split(",") if part and part != "None"]
    try:
        blocks = free_blocks(split(args.vpc), split(args.taken), args.prefix)
    except ValueError as error:
        sys.exit(f"error: not an address block: {error}")
    if len(blocks) < 2:
        sys.exit(f"error: the VPC ({args.vpc}) has no two free /{args.prefix} blocks for the database's subnets: "
                 f"free some, or add a CIDR block to the VPC")
    print(",".join(str(block) for block in blocks))


if __name__ == "__main__":
    main()
