#!/usr/bin/env python3
"""Fargate rehearsed on one machine (`make run-local` and its kin): the variant's rendered stack
run with Docker, HAProxy and PostgreSQL on loopback. See docs/run-local.md.

Usage: scripts/run-local.py up|deploy|status|logs|stop|destroy VARIANT [options]"""
import argparse
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_local import rehearsal as commands  # noqa: E402
from run_local.balancer import BalancerError  # noqa: E402
from run_local.database import DatabaseError  # noqa: E402
from run_local.scheduler import Scheduler  # noqa: E402
from run_local.stack import StackError  # noqa: E402
from run_local.tasks import TaskError  # noqa: E402


def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `make run-local-logs | head` ends quietly
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["up", "deploy", "status", "logs", "stop", "destroy", "scheduler"])
    parser.add_argument("variant")
    parser.add_argument("--variants-dir", default=os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "variants"))
    parser.add_argument("--state", help="the folder of every variant's state (default build/run-local)")
    parser.add_argument("--binary", help="the tictactoe binary that renders the stack (up)")
    parser.add_argument("--arch", default="amd64")
    parser.add_argument("--repository", default="tictactoe")
    parser.add_argument("--image", help="deploy: the image to roll out (default: the task definition's tag, as built now)")
    parser.add_argument("--wait", type=int, default=300, help="seconds a start or deploy may take to become stable")
    args = parser.parse_args()
    try:
        rehearsal = commands.Rehearsal(args.variant, args.variants_dir, args.state)
        if args.command == "up":
            if not args.binary:
                parser.error("up needs --binary (make run-local passes the release binary)")
            commands.up(rehearsal, args.binary, args.arch, args.repository, args.wait)
        elif args.command == "scheduler":
            Scheduler(rehearsal).run()
        elif rehearsal.stack is None and args.command in ("deploy",):
            raise commands.Refused(f"{args.variant} was never started here: make run-local VARIANT={args.variant}")
        elif args.command == "deploy":
            commands.deploy(rehearsal, args.image, args.wait)
        elif args.command == "status":
            if rehearsal.stack is None:
                print(f"{args.variant}: never started here (make run-local VARIANT={args.variant})")
            else:
                commands.status(rehearsal)
        elif args.command == "logs":
            commands.logs(rehearsal)
        elif args.command == "stop":
            commands.stop(rehearsal)
        elif args.command == "destroy":
            commands.destroy(rehearsal)
    except (commands.Refused, StackError, BalancerError, DatabaseError, TaskError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
